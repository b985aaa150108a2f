import assert from "node:assert/strict";
import type { Hyperparameters } from "./model.ts";
import {
  argmaxScores,
  bestTau,
  better,
  searchCandidates,
  searchHyperparameters,
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
