import assert from "node:assert/strict";
import { cacheWordPieces, MAX_CACHED_WORD_CHARS, MAX_CACHED_WORDS } from "./word_piece_cache.ts";

/** A stand-in WordPiece model that splits words after three characters and counts its calls. */
function fakeModel(type = "WordPiece") {
  const model = {
    config: { type },
    calls: 0,
    encode(tokens: string[]): string[] {
      this.calls++;
      return tokens.flatMap((t) => t.length > 3 ? [t.slice(0, 3), `##${t.slice(3)}`] : [t]);
    },
  };
  return model;
}

Deno.test("cacheWordPieces() gives the same pieces, encoding each word once", () => {
  const plain = fakeModel(), cached = fakeModel();
  assert.equal(cacheWordPieces({ _tokenizer: { model: cached } }), true);
  const words = ["markets", "rally", "on", "markets", "rally"];
  assert.deepEqual(cached.encode(words), plain.encode(words));
  const before = cached.calls;
  assert.deepEqual(cached.encode(["rally", "markets"]), ["ral", "##ly", "mar", "##kets"]);
  assert.equal(cached.calls, before, "known words are not encoded again");
});

Deno.test("cacheWordPieces() leaves other models alone and stays bounded", () => {
  const level = fakeModel("WordLevel");
  const encode = level.encode;
  assert.equal(cacheWordPieces({ _tokenizer: { model: level } }), false);
  assert.equal(cacheWordPieces({}), false);
  assert.equal(level.encode, encode);
  const model = fakeModel();
  cacheWordPieces({ _tokenizer: { model } });
  const many = Array.from({ length: MAX_CACHED_WORDS + 10 }, (_, i) => `w${i}`);
  assert.deepEqual(model.encode(many), fakeModel().encode(many));
  const calls = model.calls;
  model.encode(["w0"]);
  assert.equal(model.calls, calls + 1, "the cache started over when it was full");
});

Deno.test("cacheWordPieces() never keeps a word longer than WordPiece reads", () => {
  const model = fakeModel();
  cacheWordPieces({ _tokenizer: { model } });
  const long = "x".repeat(MAX_CACHED_WORD_CHARS + 1);
  assert.deepEqual(model.encode([long]), fakeModel().encode([long]));
  const calls = model.calls;
  model.encode([long]);
  assert.equal(model.calls, calls + 1, "encoded again: it was not cached");
  const short = "x".repeat(MAX_CACHED_WORD_CHARS);
  model.encode([short]);
  model.encode([short]);
  assert.equal(model.calls, calls + 2, "a word of the longest cached length is kept");
});
