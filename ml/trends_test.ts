// ml/trends_test.ts — tests for spike detection, rising terms and period change.

import assert from "node:assert/strict";
import {
  changeVsPrevious,
  detectSpikes,
  logLikelihoodG2,
  risingTerms,
  type SeriesPoint,
} from "./trends.ts";
import { mulberry32 } from "./prng.ts";

/** Poisson sample (Knuth), fine for the small means used here. */
function poisson(rand: () => number, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function day(i: number): string {
  return new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
}

function noisySeries(seed: number, days: number, lambda: number): SeriesPoint[] {
  const rand = mulberry32(seed);
  return Array.from({ length: days }, (_, i) => ({ bucket: day(i), count: poisson(rand, lambda) }));
}

Deno.test("detectSpikes() flags an injected burst in the right bucket", () => {
  const series = noisySeries(42, 60, 20);
  series[40] = { bucket: series[40].bucket, count: 60 };
  const result = detectSpikes(series);
  const spikes = result.filter((p) => p.spike).map((p) => p.bucket);
  assert.deepEqual(spikes, [day(40)]);
  assert.ok(result[40].score >= 3);
});

Deno.test("detectSpikes() flags no bucket of a flat noisy series", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const result = detectSpikes(noisySeries(seed, 90, 20));
    assert.deepEqual(result.filter((p) => p.spike), [], `seed ${seed}`);
  }
});

Deno.test("detectSpikes() still sees a second burst right after a first one", () => {
  const series = noisySeries(7, 30, 10);
  series[20] = { bucket: series[20].bucket, count: 50 };
  series[22] = { bucket: series[22].bucket, count: 50 };
  const spikes = detectSpikes(series).filter((p) => p.spike).map((p) => p.bucket);
  assert.deepEqual(spikes, [day(20), day(22)]);
});

Deno.test("detectSpikes() does not judge buckets without enough history", () => {
  const result = detectSpikes([
    { bucket: "a", count: 1 },
    { bucket: "b", count: 100 },
    { bucket: "c", count: 100 },
  ]);
  assert.deepEqual(result.map((p) => [p.baseline, p.score, p.spike]), [
    [null, 0, false],
    [null, 0, false],
    [null, 0, false],
  ]);
});

Deno.test("detectSpikes() ignores a jump below minCount on a near-empty series", () => {
  // 0 → 5 scores 2√5.375 − 2√0.375 = 3.41, above the threshold, so only minCount decides.
  const series = [0, 0, 0, 0, 0, 0, 0, 5].map((count, i) => ({ bucket: day(i), count }));
  assert.equal(detectSpikes(series, { minCount: 6 }).at(-1)!.spike, false);
  assert.equal(detectSpikes(series).at(-1)!.spike, true);
});

Deno.test("detectSpikes() uses unit Poisson spread when the history is perfectly flat", () => {
  // Anscombe: a(x) = 2√(x + 3/8). History all 16 → m = 2√16.375, MAD 0 → spread 1.
  // 30: 2√30.375 − 2√16.375 = 2.9 < 3; 31: 3.06 ≥ 3.
  const flat = Array.from({ length: 7 }, (_, i) => ({ bucket: day(i), count: 16 }));
  const at = (count: number) => detectSpikes([...flat, { bucket: day(7), count }]).at(-1)!;
  assert.ok(Math.abs(at(31).score - (2 * Math.sqrt(31.375) - 2 * Math.sqrt(16.375))) < 1e-12);
  assert.equal(at(31).spike, true);
  assert.equal(at(30).spike, false);
  assert.equal(at(31).baseline, 16);
});

Deno.test("logLikelihoodG2() matches a hand-computed 2×2 table", () => {
  // a=10 of 100, b=5 of 200: E = 5, 10, 95, 190;
  // G² = 2(10 ln 2 + 5 ln ½ + 90 ln(90/95) + 195 ln(195/190)) = 7.32981...
  assert.ok(
    Math.abs(logLikelihoodG2({ count: 10, total: 100 }, { count: 5, total: 200 }) - 7.329812) <
      1e-5,
  );
  assert.equal(logLikelihoodG2({ count: 10, total: 100 }, { count: 20, total: 200 }), 0);
  assert.equal(logLikelihoodG2({ count: 0, total: 0 }, { count: 0, total: 0 }), 0);
});

Deno.test("risingTerms() ranks terms that rose by G² and drops those that fell", () => {
  const baseline = new Map([["economy", 50], ["election", 10], ["football", 40], ["rain", 100]]);
  const current = new Map([["economy", 50], ["election", 60], ["football", 5], ["storm", 30], [
    "rain",
    55,
  ]]);
  const rising = risingTerms(current, baseline, { minCount: 5, limit: 10 });
  assert.deepEqual(rising.map((r) => r.term), ["election", "storm"]);
  const storm = rising.find((r) => r.term === "storm")!;
  assert.equal(storm.count, 30);
  assert.equal(storm.baselineCount, 0);
  assert.ok(Number.isFinite(storm.ratio) && storm.ratio > 1);
  const election = rising[0];
  // relative frequency 60/200 now vs 10/200 before
  assert.equal(election.ratio, (60 / 200) / (10 / 200));
  assert.equal(election.g2, logLikelihoodG2({ count: 60, total: 200 }, { count: 10, total: 200 }));
});

Deno.test("risingTerms() applies minCount, minG2 and limit", () => {
  const baseline = new Map([["a", 100], ["b", 100], ["c", 100]]);
  // "a" falls from 100/300 to 30/92 of all terms.
  const current = new Map([["a", 30], ["new1", 40], ["new2", 20], ["rare", 2]]);
  assert.deepEqual(risingTerms(current, baseline, { minCount: 5, limit: 1 }).map((r) => r.term), [
    "new1",
  ]);
  assert.deepEqual(
    risingTerms(current, baseline, { minCount: 1, limit: 10, minG2: 0 }).map((r) => r.term),
    ["new1", "new2", "rare"],
  );
  assert.deepEqual(risingTerms(new Map(), baseline, { minCount: 1, limit: 5 }), []);
  assert.deepEqual(risingTerms(current, new Map(), { minCount: 1, limit: 5 }), []);
});

Deno.test("changeVsPrevious() reports delta, percent and direction", () => {
  assert.deepEqual(changeVsPrevious(15, 10), {
    current: 15,
    previous: 10,
    delta: 5,
    percent: 50,
    direction: "up",
  });
  assert.equal(changeVsPrevious(5, 10).direction, "down");
  assert.equal(changeVsPrevious(5, 10).percent, -50);
  assert.equal(changeVsPrevious(3, 3).direction, "flat");
  assert.equal(changeVsPrevious(3, 0).percent, null);
});
