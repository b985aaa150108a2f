// Remembers the WordPiece pieces of each word the served tokenizer has seen. transformers.js
// re-slices a word into candidate substrings on every call (WordPieceTokenizer.encode), which
// was the largest single cost of classifying at ingestion after the database: news repeats
// its words, so most of that work is the same work again. Written here because the library has
// no option for it; the pieces of a word depend only on the word and the vocabulary, so a
// cached answer is the answer.

/** Words remembered per tokenizer at most; the cache starts over when full (about 10 MB). */
export const MAX_CACHED_WORDS = 100_000;
/**
 * Longer words are encoded each time, never cached: WordPiece makes them `[UNK]` anyway
 * (transformers.js' max_input_chars_per_word), and a text of one 20,000-character "word"
 * per request would otherwise fill the cache with gigabytes.
 */
export const MAX_CACHED_WORD_CHARS = 100;

/** The part of a transformers.js tokenizer model this wraps. */
export interface TokenizerModelLike {
  config?: { type?: string };
  encode(tokens: string[]): string[];
}

/**
 * Makes a transformers.js `PreTrainedTokenizer`'s WordPiece model answer each word from a
 * bounded cache (WordPiece encodes each word on its own); other models are left as they
 * are. Returns whether it wrapped the model (tokenizer_test.ts checks that it does for the
 * tokenizers we write, so a library change that moves the model is noticed).
 */
export function cacheWordPieces(tokenizer: unknown): boolean {
  const model = (tokenizer as { _tokenizer?: { model?: TokenizerModelLike } })._tokenizer?.model;
  if (!model || model.config?.type !== "WordPiece" || typeof model.encode !== "function") {
    return false;
  }
  const encode = model.encode.bind(model);
  const cache = new Map<string, string[]>();
  model.encode = (tokens: string[]) => {
    const out: string[] = [];
    for (const token of tokens) {
      let pieces = cache.get(token);
      if (!pieces) {
        pieces = encode([token]);
        if (token.length <= MAX_CACHED_WORD_CHARS) {
          if (cache.size >= MAX_CACHED_WORDS) cache.clear();
          cache.set(token, pieces);
        }
      }
      for (const p of pieces) out.push(p);
    }
    return out;
  };
  return true;
}
