import assert from "node:assert/strict";
import { mulberry32, shuffleInPlace } from "./prng.ts";

Deno.test("mulberry32() repeats its sequence for a seed and differs across seeds", () => {
  const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(Array.from({ length: 5 }, b), xs);
  assert.notDeepEqual(Array.from({ length: 5 }, c), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("shuffleInPlace() permutes deterministically, in place", () => {
  const items = [1, 2, 3, 4, 5, 6];
  const s1 = shuffleInPlace(items, mulberry32(1));
  assert.equal(s1, items);
  assert.deepEqual(s1, shuffleInPlace([1, 2, 3, 4, 5, 6], mulberry32(1)));
  assert.deepEqual([...s1].sort(), [1, 2, 3, 4, 5, 6]);
});

Deno.test("shuffleInPlace() moves items: a hundred shuffles of ten never leave them as they were", () => {
  const random = mulberry32(2);
  const input = Array.from({ length: 10 }, (_, i) => i);
  let unchanged = 0;
  for (let n = 0; n < 100; n++) {
    const s = shuffleInPlace([...input], random);
    if (s.every((x, i) => x === input[i])) unchanged++;
  }
  // A fair shuffle leaves ten items as they were once in 10! times.
  assert.equal(unchanged, 0);
});

Deno.test("shuffleInPlace() gives each order of three items about equally often", () => {
  // 6 orders, 60,000 shuffles: 10,000 expected each. Pearson's χ² with 5 degrees of freedom
  // is below 20.5 with probability 0.999 for a fair shuffle; the seed is fixed, so the test is
  // deterministic. A naive shuffle (j drawn from all n positions each step) gives χ² in the
  // thousands, Sattolo's (j < i) never yields three of the orders, and a no-op only one.
  const random = mulberry32(7);
  const trials = 60_000;
  const counts = new Map<string, number>();
  for (let n = 0; n < trials; n++) {
    const key = shuffleInPlace(["a", "b", "c"], random).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ["abc", "acb", "bac", "bca", "cab", "cba"]);
  const expected = trials / 6;
  let chi2 = 0;
  for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected;
  assert.ok(
    chi2 < 20.5,
    `χ² = ${chi2.toFixed(1)} over ${JSON.stringify(Object.fromEntries(counts))}`,
  );
});

Deno.test("shuffleInPlace() puts each item in each position about equally often", () => {
  // Eight items, 40,000 shuffles: each item should land in each slot 5,000 times; ±10% is
  // over seven standard deviations, while a shuffle that favours keeping items near their
  // start (or leaves the last item in place) misses it by far.
  const random = mulberry32(11);
  const size = 8, trials = 40_000;
  const at = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let n = 0; n < trials; n++) {
    shuffleInPlace(Array.from({ length: size }, (_, i) => i), random)
      .forEach((item, slot) => at[item][slot]++);
  }
  const expected = trials / size;
  for (let item = 0; item < size; item++) {
    for (let slot = 0; slot < size; slot++) {
      const c = at[item][slot];
      assert.ok(Math.abs(c - expected) < expected * 0.1, `item ${item} in slot ${slot}: ${c}`);
    }
  }
});
