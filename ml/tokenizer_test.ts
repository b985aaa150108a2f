import assert from "node:assert/strict";
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { cacheWordPieces } from "./word_piece_cache.ts";
import { encodeWords, type TextClassifierModel } from "./model.ts";
import { DEFAULT_HYPERPARAMETERS } from "./train.ts";
import { createWordSplitter } from "./word_splitter.ts";
import { PAD_TOKEN, tokenizerConfig, tokenizerJson, UNK_ID, UNK_TOKEN } from "./tokenizer.ts";

Deno.test("createWordSplitter() lowercases and splits on whitespace and punctuation", () => {
  const split = createWordSplitter();
  assert.deepEqual(split("Stocks Rise, Again! U.S. $1.35bn"), [
    "stocks",
    "rise",
    ",",
    "again",
    "!",
    "u",
    ".",
    "s",
    ".",
    "$",
    "1",
    ".",
    "35bn",
  ]);
  assert.deepEqual(split(""), []);
});

Deno.test("tokenizerJson() rejects a vocabulary without the special tokens first", () => {
  assert.throws(() => tokenizerJson(["a", "b"]), /must start with/);
});

Deno.test("encodeWords() gives the ids the transformers.js tokenizer gives", () => {
  const vocabulary = [PAD_TOKEN, UNK_TOKEN, "stocks", "rise", ",", "again", "!", "café"];
  const model = { vocabulary, hyperparameters: { ...DEFAULT_HYPERPARAMETERS, maxLength: 8 } };
  const tokenizer = new PreTrainedTokenizer(tokenizerJson(vocabulary), tokenizerConfig(8));
  const split = createWordSplitter();
  for (
    const text of [
      "Stocks rise, again!",
      "Café stocks RISE unknownword [UNK] [PAD]",
      "a b c d e f g h i j k l",
      "",
    ]
  ) {
    const served = tokenizer(text, { truncation: true }).input_ids.tolist()[0].map(Number);
    const ours = Array.from(encodeWords(model as TextClassifierModel, split(text)));
    assert.deepEqual(ours, served, text);
  }
  assert.equal(tokenizer("zzz").input_ids.tolist()[0].map(Number)[0], UNK_ID);
});

Deno.test("encodeWords() splits unknown words into the WordPiece pieces transformers.js gives", () => {
  const vocabulary = [
    PAD_TOKEN,
    UNK_TOKEN,
    "stock",
    "stocks",
    "un",
    "##s",
    "##known",
    "##k",
    "##now",
    "##n",
    "café",
    "##é",
    "e",
    "1",
    "##2",
    "a",
    "##a",
  ];
  assert.equal((tokenizerJson(vocabulary).model as { type: string }).type, "WordPiece");
  const model = { vocabulary, hyperparameters: { ...DEFAULT_HYPERPARAMETERS, maxLength: 12 } };
  const tokenizer = new PreTrainedTokenizer(tokenizerJson(vocabulary), tokenizerConfig(12));
  const split = createWordSplitter();
  const texts = [
    "Stocks unknowns stockss",
    "Cafés CAFÉ e1 12 ünknown",
    "zzz stock# ##s [UNK] [PAD]",
    "a".repeat(100) + " " + "a".repeat(101),
    "stocks ".repeat(20),
    "",
  ];
  const check = () => {
    for (const text of texts) {
      const served = tokenizer(text, { truncation: true }).input_ids.tolist()[0].map(Number);
      const ours = Array.from(encodeWords(model as TextClassifierModel, split(text)));
      assert.deepEqual(ours, served, text);
    }
  };
  check();
  // The served pipeline remembers each word's pieces (word_piece_cache.ts): the same ids,
  // the first time and from the cache.
  assert.ok(cacheWordPieces(tokenizer), "the WordPiece model is where the cache expects it");
  check();
  check();
  const pieces = [...encodeWords(model as TextClassifierModel, ["unknowns"])];
  assert.deepEqual(pieces.map((id) => vocabulary[id]), ["un", "##known", "##s"]);
});

Deno.test("tokenizerJson() writes a WordLevel model when there are no continuation pieces", () => {
  const json = tokenizerJson([PAD_TOKEN, UNK_TOKEN, "#", "stocks"]);
  assert.equal((json.model as { type: string }).type, "WordLevel");
});
