// ml/minhash_test.ts — MinHash signatures, their Jaccard estimate, band keys and storage.
import assert from "node:assert/strict";
import {
  bandKeys,
  BANDS,
  decodeSignature,
  encodeSignature,
  estimatedJaccard,
  minhashSignature,
  SIGNATURE_LENGTH,
  storyWords,
} from "./minhash.ts";

const words = (n: number, prefix: string) =>
  new Set(Array.from({ length: n }, (_, i) => `${prefix}${i}`));

Deno.test("storyWords() takes the title and the lead, decoded, without stopwords", () => {
  const w = storyWords("Sudan talks in Nigeria deadlocked", "Talks &quot;stalled&quot; today.");
  assert.deepEqual([...w].sort(), ["deadlocked", "nigeria", "stalled", "sudan", "talks", "today"]);
  const long = storyWords("Title", Array.from({ length: 100 }, (_, i) => `w${i}`).join(" "));
  assert.equal(long.size, 1 + 40);
});

Deno.test("minhashSignature() is pinned: the same words give the same stored signature", () => {
  const sig = minhashSignature(new Set(["saudi", "aramco", "listing"]))!;
  assert.equal(sig.length, SIGNATURE_LENGTH);
  // Stored signatures are compared with later ones: a change here splits every story.
  assert.deepEqual([sig[0], sig[1], sig[59]], [1411585172, 1376975952, 687074617]);
  assert.deepEqual(minhashSignature(new Set(["listing", "aramco", "saudi"])), sig);
  assert.equal(minhashSignature(new Set()), null);
});

Deno.test("estimatedJaccard() is close to the true Jaccard similarity", () => {
  // 60 shared of 100 distinct words: J = 0.6.
  const a = new Set([...words(60, "s"), ...words(20, "a")]);
  const b = new Set([...words(60, "s"), ...words(20, "b")]);
  const est = estimatedJaccard(minhashSignature(a)!, minhashSignature(b)!);
  assert.ok(Math.abs(est - 0.6) < 0.2, `estimate ${est}`);
  assert.equal(estimatedJaccard(minhashSignature(a)!, minhashSignature(a)!), 1);
  const disjoint = estimatedJaccard(
    minhashSignature(words(30, "x"))!,
    minhashSignature(words(30, "y"))!,
  );
  assert.ok(disjoint < 0.1, `disjoint ${disjoint}`);
});

Deno.test("bandKeys() gives BANDS safe integers, equal for equal signatures", () => {
  const sig = minhashSignature(words(10, "w"))!;
  const keys = bandKeys(sig);
  assert.equal(keys.length, BANDS);
  for (const k of keys) assert.ok(Number.isSafeInteger(k) && k >= 0);
  assert.deepEqual(bandKeys(minhashSignature(words(10, "w"))!), keys);
  const other = bandKeys(minhashSignature(words(10, "v"))!);
  assert.ok(other.every((k) => !keys.includes(k)));
});

Deno.test("encodeSignature() round-trips and decodeSignature() refuses what is not one", () => {
  const sig = minhashSignature(words(5, "z"))!;
  assert.deepEqual(decodeSignature(encodeSignature(sig)), sig);
  assert.equal(decodeSignature("not base64!"), null);
  assert.equal(decodeSignature(btoa("short")), null);
});
