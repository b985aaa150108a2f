import assert from "node:assert/strict";
import { PieceCounter, pieceInventory, subwordBuckets } from "./subword.ts";
import { CONTINUATION_PREFIX, MAX_WORD_CHARS } from "./tokenizer.ts";

const OPTIONS = { minN: 3, maxN: 4, buckets: 1 << 20 };

Deno.test("subwordBuckets() hashes the n-grams of <word>, without the whole word", () => {
  // "<cat>": 3-grams <ca, cat, at>; 4-grams <cat, cat>; the 5-gram is the word itself.
  assert.equal(subwordBuckets("cat", OPTIONS).length, 5);
  assert.equal(subwordBuckets("cat", { minN: 3, maxN: 5, buckets: 1 << 20 }).length, 5);
  assert.deepEqual(subwordBuckets("cat", OPTIONS), subwordBuckets("cat", OPTIONS));
  const ids = subwordBuckets("acquisitions", OPTIONS);
  assert.ok(ids.every((id) => id >= 0 && id < OPTIONS.buckets));
  const shared = subwordBuckets("acquisition", OPTIONS).filter((id) => ids.includes(id));
  assert.ok(shared.length >= 15, `related words share n-grams (${shared.length})`);
});

Deno.test("subwordBuckets() gives pieces only the boundaries they know", () => {
  // Initial piece "<ca" + "cat" (3-grams) + "<cat" (4-gram); continuation "##cat": "cat" only.
  assert.equal(subwordBuckets("cat", OPTIONS, "initial").length, 3);
  assert.equal(subwordBuckets("##cat", OPTIONS, "continuation").length, 1);
  assert.deepEqual(subwordBuckets("##ca", OPTIONS, "continuation"), new Int32Array(0));
});

Deno.test("pieceInventory() keeps shared pieces and every single character", () => {
  const pieces = pieceInventory(["walked", "talked", "walking", "tax"], {
    minWords: 2,
    maxLength: 4,
  });
  assert.ok(pieces.includes("##ked"));
  assert.ok(pieces.includes("##alk"));
  assert.ok(pieces.includes("wal"));
  assert.ok(pieces.includes("t") && pieces.includes("##x"), "single characters");
  assert.ok(!pieces.includes("##king"), "seen in one word only");
  assert.ok(!pieces.includes("tax"), "a word is not a piece");
  assert.deepEqual(pieces, [...pieces].sort());
});

/** The inventory written plainly: every word's pieces as strings, counted once per word. */
function plainInventory(words: string[], minWords: number, maxLength: number): string[] {
  const counts = new Map<string, number>();
  for (const word of words) {
    const chars = [...word];
    if (chars.length > MAX_WORD_CHARS) continue;
    const seen = new Set<string>();
    for (let start = 0; start < chars.length; start++) {
      for (let end = start + 1; end <= chars.length && end - start <= maxLength; end++) {
        seen.add((start > 0 ? CONTINUATION_PREFIX : "") + chars.slice(start, end).join(""));
      }
    }
    for (const piece of seen) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
  const body = (p: string) =>
    p.startsWith(CONTINUATION_PREFIX) && p.length > 2 ? p.slice(CONTINUATION_PREFIX.length) : p;
  return [...counts].filter(([p, n]) =>
    !words.includes(p) && (n >= minWords || [...body(p)].length === 1)
  ).map(([p]) => p).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

Deno.test("a PieceCounter reused across word lists gives each the plain inventory", () => {
  const lists = [
    ["walked", "talked", "walking", "tax", "##abc", "#tag"],
    ["walked", "talking", "taxes", "##a", "übermäßig", "x".repeat(300)],
    ["walk", "walked", "talk"],
  ];
  const counter = new PieceCounter(5);
  for (const words of lists) {
    const plain = plainInventory(words, 2, 5);
    assert.deepEqual(counter.inventory(words, 2), plain);
    assert.deepEqual(pieceInventory(words, { minWords: 2, maxLength: 5 }), plain);
  }
});
