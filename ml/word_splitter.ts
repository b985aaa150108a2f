/**
 * Splits text into words exactly as the served tokenizer does, by running transformers.js'
 * own normaliser and pre-tokeniser (apart from tokenizer.ts so that code without
 * transformers.js, such as the trainer's worker threads, can use the rest).
 */
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { PAD_TOKEN, tokenizerConfig, tokenizerJson, UNK_TOKEN } from "./tokenizer.ts";

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
