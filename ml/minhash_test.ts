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
  TITLE_WEIGHT,
} from "./minhash.ts";

const words = (n: number, prefix: string) =>
  new Set(Array.from({ length: n }, (_, i) => `${prefix}${i}`));

Deno.test("storyWords() takes the title (weighted) and the lead, decoded, without stopwords", () => {
  const w = storyWords("Sudan talks in Nigeria", "Talks &quot;stalled&quot; today.");
  assert.deepEqual(
    [...w].filter((x) => !x.startsWith("^")).sort(),
    ["nigeria", "stalled", "sudan", "talks", "today"],
  );
  assert.equal(w.size, 3 * TITLE_WEIGHT + 2, "title words several times, marked");
  assert.ok(w.has("^sudan") && w.has("^".repeat(TITLE_WEIGHT - 1) + "sudan"));
  const long = storyWords("Title", Array.from({ length: 100 }, (_, i) => `w${i}`).join(" "));
  assert.equal(long.size, TITLE_WEIGHT + 40);
});

Deno.test("storyWords(): one boilerplate lead under different headlines is not one story", () => {
  const lead = "With the economy slowly turning up, upgrading hardware has been on businesses " +
    "radar in the past 12 months as their number two priority.";
  const similarity = (a: string, b: string) => {
    const x = storyWords(a, lead), y = storyWords(b, lead);
    return [...x].filter((w) => y.has(w)).length / new Set([...x, ...y]).size;
  };
  assert.ok(
    similarity("Voq smartphone arrives in US", "Sprint serves up Samsung smartphone") < 0.4,
  );
  assert.ok(
    similarity("Samsung working on tiny drive", "Samsung working on a tiny drive") === 1,
    "the same headline with the same lead still is",
  );
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
