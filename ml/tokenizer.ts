// The tokenizer shared by training and serving: a Hugging Face `tokenizer.json` with a
// `WordLevel` model, `BertNormalizer` (lowercase) and `BertPreTokenizer` (split on whitespace
// and punctuation). Training splits words with transformers.js itself so
// the words it learns weights for are exactly the words the served pipeline produces.

import { PreTrainedTokenizer } from "@huggingface/transformers";

/** Padding token; id 0 in every vocabulary we write. */
export const PAD_TOKEN = "[PAD]";
/** Out-of-vocabulary token; id 1 in every vocabulary we write. */
export const UNK_TOKEN = "[UNK]";
/** Id of {@link PAD_TOKEN}. */
export const PAD_ID = 0;
/** Id of {@link UNK_TOKEN}. */
export const UNK_ID = 1;

/** A JSON object as written to disk. */
export type JsonObject = Record<string, unknown>;

/**
 * Builds the `tokenizer.json` document for a vocabulary (`vocabulary[id] = token`, with
 * `[PAD]` at 0 and `[UNK]` at 1).
 */
export function tokenizerJson(vocabulary: readonly string[]): JsonObject {
  if (vocabulary[PAD_ID] !== PAD_TOKEN || vocabulary[UNK_ID] !== UNK_TOKEN) {
    throw new Error(`vocabulary must start with ${PAD_TOKEN}, ${UNK_TOKEN}`);
  }
  const vocab: Record<string, number> = {};
  vocabulary.forEach((token, id) => (vocab[token] = id));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    // No added tokens: the special tokens are in the vocabulary already, and matching them in
    // the text costs transformers.js a third of its tokenizing time.
    added_tokens: [],
    // Only lowercasing: normalizeNewsText() already collapsed whitespace, and the other
    // BertNormalizer passes (control-character clean-up, accent stripping, CJK splitting) cost
    // half the tokenizer's time while changing nothing for English news.
    normalizer: {
      type: "BertNormalizer",
      clean_text: false,
      handle_chinese_chars: false,
      strip_accents: false,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab, unk_token: UNK_TOKEN },
  };
}

/** Builds `tokenizer_config.json`; `maxLength` bounds the tokens the pipeline keeps per text. */
export function tokenizerConfig(maxLength: number): JsonObject {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    unk_token: UNK_TOKEN,
    pad_token: PAD_TOKEN,
    model_max_length: maxLength,
    padding_side: "right",
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
  };
}

/**
 * Returns a function that splits text into the words the served tokenizer would look up
 * (normalised and pre-tokenised by transformers.js, before the vocabulary lookup).
 *
 * @example
 * ```ts
 * const split = createWordSplitter();
 * split("Stocks Rise, Again!"); // => ["stocks", "rise", ",", "again", "!"]
 * ```
 */
export function createWordSplitter(): (text: string) => string[] {
  // A WordLevel model passes unknown words through `tokenize()` unchanged, so a vocabulary
  // holding only the special tokens yields the pre-tokenised words.
  const tokenizer = new PreTrainedTokenizer(
    tokenizerJson([PAD_TOKEN, UNK_TOKEN]),
    tokenizerConfig(Number.MAX_SAFE_INTEGER),
  );
  return (text) => tokenizer.tokenize(text);
}
