import assert from "node:assert/strict";
import type { Hyperparameters } from "./model.ts";
import {
  argmaxScores,
  bestTau,
  better,
  searchCandidates,
  searchHyperparameters,
  selectionScore,
  TIE,
  tieBreakFor,
} from "./search.ts";
import { DEFAULT_HYPERPARAMETERS } from "./train.ts";

const logits = (rows: number[][]) => rows.map((r) => Float64Array.from(r));

Deno.test("better() prefers the mean of macro-F1 and accuracy and breaks near-ties by macro-F1", () => {
  // Half a point of macro-F1 for three points of accuracy loses.
  assert.equal(better({ macroF1: 0.4, accuracy: 0.64 }, { macroF1: 0.395, accuracy: 0.67 }), false);
  assert.ok(better({ macroF1: 0.5, accuracy: 0.8 }, { macroF1: 0.45, accuracy: 0.8 }));
  // Within TIE of each other: the higher macro-F1.
  assert.ok(better({ macroF1: 0.5, accuracy: 0.7 }, { macroF1: 0.49, accuracy: 0.715 }));
  assert.equal(better({ macroF1: 0.49, accuracy: 0.715 }, { macroF1: 0.5, accuracy: 0.7 }), false);
});

Deno.test("better() breaks near-ties by accuracy when told to", () => {
  const f1 = { macroF1: 0.5, accuracy: 0.7 }, acc = { macroF1: 0.49, accuracy: 0.715 };
  assert.ok(better(acc, f1, "accuracy"));
  assert.equal(better(f1, acc, "accuracy"), false);
  // Beyond TIE the score decides whatever the tie-break.
  assert.ok(better({ macroF1: 0.6, accuracy: 0.7 }, acc, "accuracy"));
});

Deno.test("better() with no tie-break takes the higher score, however near", () => {
  const a = { macroF1: 0.5, accuracy: 0.7 }, b = { macroF1: 0.49, accuracy: 0.708 };
  assert.ok(better(a, b, "none"));
  assert.equal(better(b, a, "none"), false);
  assert.equal(better(a, a, "none"), false, "the earlier wins an exact tie");
});

Deno.test("tieBreakFor() is macro-F1 on about balanced label sets, none on skewed ones", () => {
  assert.equal(tieBreakFor(Int32Array.of(100, 120, 150)), "macroF1");
  assert.equal(tieBreakFor(Int32Array.of(100, 151)), "none");
  assert.equal(tieBreakFor(Int32Array.of(3362, 2, 40)), "none");
});

Deno.test("bestTau() on a skewed label set takes the higher score among near-ties", () => {
  // 40 rows of class 0, 4 of class 1, 4 of class 2. Tau 0 loses two class-1 rows to class 0
  // (accuracy 0.958, macro-F1 0.881); tau 1 wins them back and loses three class-0 rows to
  // class 2 (0.938, 0.896): means within TIE of each other, macro-F1 higher at tau 1.
  const y = Int32Array.of(...Array(40).fill(0), 1, 1, 1, 1, 2, 2, 2, 2);
  const counts = Int32Array.of(40, 4, 4);
  const z = logits([
    ...Array(37).fill([5, 0, 0]),
    ...Array(3).fill([0.1, -5, -0.9]), // class 0, moved to class 2 by the prior correction
    [0, 3, 0],
    [0, 3, 0],
    [0.5, 0, -0.2], // class 1, lost to class 0 without the correction
    [0.5, 0, -0.2],
    ...Array(4).fill([0, 0, 3]),
  ]);
  const none = bestTau(z, y, counts, [0]), full = bestTau(z, y, counts, [1]);
  assert.ok(full.macroF1 > none.macroF1 && full.accuracy < none.accuracy);
  assert.ok(Math.abs(selectionScore(full) - selectionScore(none)) <= TIE);
  assert.ok(selectionScore(none) > selectionScore(full));
  assert.equal(bestTau(z, y, counts, [0, 1]).tau, 0, "the higher score");
  assert.equal(bestTau(z, y, counts, [1, 0]).tau, 0, "whichever comes first");
  assert.ok(better(full, none), "macro-F1 would have broken it the other way");
});

Deno.test("bestTau() lifts a small class that is never predicted without it", () => {
  // 9 rows of class 0, 1 of class 1, scored slightly towards 0 everywhere.
  const y = Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
  const z = logits([...Array(9).fill([1, 0]), [0.3, 0]]);
  assert.equal(argmaxScores(z, y, [0, 0]).accuracy, 0.9);
  const best = bestTau(z, y, Int32Array.of(9, 1));
  assert.ok(best.tau > 0);
  assert.equal(best.macroF1, 1);
});

Deno.test("searchCandidates() is the grid's product from the start, skipping class weights when balanced and fixed keys", () => {
  const all = searchCandidates(DEFAULT_HYPERPARAMETERS);
  assert.equal(all.length, 6);
  assert.deepEqual(all[0], DEFAULT_HYPERPARAMETERS, "the start first");
  assert.deepEqual(
    new Set(all.map((h) => `${h.classWeightPower}/${h.idfPower}/${h.subwordWeight}`)),
    new Set([
      "0/2.5/0.3",
      "0/1.5/0.6",
      "0.25/2.5/0.3",
      "0.25/1.5/0.6",
      "0.5/2.5/0.3",
      "0.5/1.5/0.6",
    ]),
  );
  const balanced = searchCandidates(DEFAULT_HYPERPARAMETERS, { balanced: true });
  assert.ok(balanced.every((h) => h.classWeightPower === 0));
  assert.equal(balanced.length, 2);
  const fixed = searchCandidates({ ...DEFAULT_HYPERPARAMETERS, idfPower: 2 }, {
    fixed: new Set(["idfPower"]),
  });
  assert.ok(fixed.every((h) => h.idfPower === 2));
  assert.equal(fixed.length, 6, "the sub-word weight still varies");
  assert.equal(searchCandidates(DEFAULT_HYPERPARAMETERS, { maxTrials: 3 }).length, 3);
});

Deno.test("searchHyperparameters() keeps the start when no candidate is better, records every trial", async () => {
  const y = Int32Array.of(0, 1, 0, 1);
  const asked: Hyperparameters[] = [];
  const result = await searchHyperparameters({
    start: DEFAULT_HYPERPARAMETERS,
    labels: y,
    k: 2,
    rows: [0, 1, 2, 3],
    evaluate: (candidates) => {
      asked.push(...candidates);
      // Only the start predicts well.
      return Promise.resolve(
        candidates.map((h) =>
          h.idfPower === 2.5 && h.subwordWeight === 0.3
            ? logits([[1, 0], [0, 1], [1, 0], [0, 1]])
            : logits([[1, 0], [1, 0], [1, 0], [1, 0]])
        ),
      );
    },
  });
  // Balanced classes: class weights are not searched.
  assert.ok(asked.every((h) => h.classWeightPower === 0));
  assert.equal(result.report.trials.length, asked.length);
  assert.equal(result.report.rows, 4);
  assert.equal(result.report.chosen, 0);
  assert.equal(result.h.idfPower, DEFAULT_HYPERPARAMETERS.idfPower);
  assert.equal(result.report.trials[0].macroF1, 1);
});

Deno.test("searchHyperparameters() moves to a better candidate, honours fixed keys and maxTrials", async () => {
  const y = Int32Array.of(0, 0, 0, 1);
  const result = await searchHyperparameters({
    start: DEFAULT_HYPERPARAMETERS,
    labels: y,
    k: 2,
    rows: [0, 1, 2, 3],
    fixed: new Set(["idfPower", "subwordWeight", "vectorScale", "vectorWeighting"]),
    maxTrials: 4,
    evaluate: (candidates) =>
      Promise.resolve(
        candidates.map((h) =>
          h.classWeightPower === 0.5
            ? logits([[1, 0], [1, 0], [1, 0], [0, 1]])
            : logits([[1, 0], [1, 0], [1, 0], [1, 0]])
        ),
      ),
  });
  assert.equal(result.h.classWeightPower, 0.5);
  assert.equal(result.report.trials.length, 3, "only class weights vary");
  assert.ok(result.report.trials.every((t) => t.hyperparameters.idfPower === 2.5));
  assert.equal(result.report.trials[result.report.chosen].macroF1, 1);
});
