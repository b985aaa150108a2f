import assert from "node:assert/strict";
import { mulberry32, shuffleInPlace } from "./prng.ts";

Deno.test("mulberry32() repeats its sequence for a seed and differs across seeds", () => {
  const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(Array.from({ length: 5 }, b), xs);
  assert.notDeepEqual(Array.from({ length: 5 }, c), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("shuffleInPlace() permutes deterministically", () => {
  const s1 = shuffleInPlace([1, 2, 3, 4, 5, 6], mulberry32(1));
  assert.deepEqual(s1, shuffleInPlace([1, 2, 3, 4, 5, 6], mulberry32(1)));
  assert.deepEqual([...s1].sort(), [1, 2, 3, 4, 5, 6]);
});
