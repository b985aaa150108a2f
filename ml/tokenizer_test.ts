import assert from "node:assert/strict";
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { encodeWords, type TextClassifierModel } from "./model.ts";
import { DEFAULT_HYPERPARAMETERS } from "./train.ts";
import {
  createWordSplitter,
  PAD_TOKEN,
  tokenizerConfig,
  tokenizerJson,
  UNK_ID,
  UNK_TOKEN,
} from "./tokenizer.ts";

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
