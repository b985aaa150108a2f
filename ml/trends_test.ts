// ml/trends_test.ts — tests for spike detection, rising terms and period change.

import assert from "node:assert/strict";
import {
  changeVsPrevious,
  detectSpikes,
  logLikelihoodG2,
  MIN_G2,
  risingTerms,
  type SeriesPoint,
  STRONG_G2,
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

Deno.test("detectSpikes() never flags a bucket with less than a full window of history", () => {
  // Six quiet buckets, then a burst: a huge jump, but one bucket short of the 7-bucket window.
  const series = [0, 0, 0, 0, 0, 0, 100].map((count, i) => ({ bucket: day(i), count }));
  assert.deepEqual(detectSpikes(series).map((p) => p.spike), series.map(() => false));
  assert.equal(detectSpikes(series).at(-1)!.baseline, null);
  // The same burst after a seventh quiet bucket is judged, and is a spike.
  const full = [0, ...series.map((p) => p.count)].map((count, i) => ({ bucket: day(i), count }));
  assert.equal(detectSpikes(full).at(-1)!.spike, true);
});

Deno.test("detectSpikes() takes no baseline from buckets before the data began", () => {
  // Ten empty buckets before the data, then a first busy bucket (a data set's first month).
  const counts = [...Array(10).fill(0), 400, 60, 70, 65, 62, 58, 66, 64, 61, 150];
  const series = counts.map((count, i) => ({ bucket: day(i), count }));
  const judged = detectSpikes(series, { dataStart: 10 });
  // Without dataStart the first data bucket looks like a burst against the zeros.
  assert.equal(detectSpikes(series)[10].spike, true);
  for (let i = 0; i < 17; i++) assert.equal(judged[i].spike, false, `bucket ${i}`);
  assert.equal(judged[16].baseline, null);
  // 150 against a full window of 400, 60, ..., 64 (median 64): a real spike.
  assert.equal(judged[19].spike, true);
  assert.equal(judged[19].baseline, 64);
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
  assert.ok(Math.abs(election.ratio - (60 / 200) / (10 / 200)) < 0.01);
  const g2 = logLikelihoodG2({ count: 60, total: 200 }, { count: 10, total: 200 });
  assert.ok(Math.abs(election.g2 - g2) < 0.01);
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

Deno.test("risingTerms() measures phrases against phrases and drops words a phrase covers", () => {
  const baseline = new Map([
    ["north", 20],
    ["korea", 10],
    ["north korea", 2],
    ["vote", 100],
    ["senate vote", 40],
  ]);
  const current = new Map([["north", 60], ["korea", 24], ["north korea", 20], ["vote", 20], [
    "senate vote",
    10,
  ]]);
  const rising = risingTerms(current, baseline, {
    minCount: 5,
    currentTotal: 2_000,
    baselineTotal: 10_000,
    currentPhraseTotal: 500,
    baselinePhraseTotal: 2_500,
  });
  // "korea" (24) is mostly "north korea" (20): left out. "north" (60) is not.
  assert.deepEqual(rising.map((r) => r.term).sort(), ["north", "north korea"]);
  const nk = rising.find((r) => r.term === "north korea")!;
  assert.equal(nk.phrase, true);
  assert.deepEqual([nk.count, nk.total, nk.baselineCount, nk.baselineTotal], [20, 500, 2, 2500]);
  assert.equal(nk.rate, 400);
  assert.equal(nk.baselineRate, 8);
  const g2 = logLikelihoodG2({ count: 20, total: 500 }, { count: 2, total: 2500 });
  assert.ok(Math.abs(nk.g2 - g2) < 0.01);
  // The explanation states the formula with the numbers.
  assert.match(nk.explanation, /^G² = 2·Σ O·ln\(O\/E\) = \d+\.\d/);
  assert.ok(nk.explanation.includes("20 of 500 phrases now (400.0 per 10k)"), nk.explanation);
  assert.ok(nk.explanation.includes("2 of 2,500 in the baseline (8.0 per 10k)"), nk.explanation);
});

Deno.test("risingTerms() finds no phrase without phrase totals in the baseline", () => {
  const current = new Map([["north korea", 20], ["north", 30]]);
  const baseline = new Map([["north", 5]]);
  const rising = risingTerms(current, baseline, {
    minCount: 5,
    currentTotal: 1000,
    baselineTotal: 1000,
    currentPhraseTotal: 500,
    baselinePhraseTotal: 0,
  });
  assert.deepEqual(rising.map((r) => r.term), ["north"]);
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

Deno.test("risingTerms() lists p < 0.01 rises with their level and never calendar words", () => {
  // 900 words now, 4,000 in the baseline: a new word with 3 occurrences passes p < 0.01
  // only, one with 6 passes p < 0.001; "monday" with 6 is never listed.
  const baseline = new Map([["market", 4_000]]);
  const current = new Map([["market", 885], ["merger", 3], ["strike", 6], ["monday", 6]]);
  const rising = risingTerms(current, baseline, { minCount: 3 });
  assert.deepEqual(rising.map((r) => [r.term, r.p]), [["strike", 0.001], ["merger", 0.01]]);
  assert.ok(rising[1].g2 >= MIN_G2 && rising[1].g2 < STRONG_G2);
  assert.match(rising[1].explanation, /p < 0\.01 above 6\.6/);
  assert.match(rising[0].explanation, /p < 0\.001 above 10\.8/);
});
