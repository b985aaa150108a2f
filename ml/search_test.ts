import assert from "node:assert/strict";
import type { Hyperparameters } from "./model.ts";
import { argmaxScores, bestTau, better, searchHyperparameters } from "./search.ts";
import { DEFAULT_HYPERPARAMETERS } from "./train.ts";

const logits = (rows: number[][]) => rows.map((r) => Float64Array.from(r));

Deno.test("better() prefers macro-F1 and breaks near-ties by accuracy", () => {
  assert.ok(better({ macroF1: 0.5, accuracy: 0.1 }, { macroF1: 0.4, accuracy: 0.9 }));
  assert.ok(better({ macroF1: 0.504, accuracy: 0.6 }, { macroF1: 0.5, accuracy: 0.7 }) === false);
  assert.ok(better({ macroF1: 0.497, accuracy: 0.8 }, { macroF1: 0.5, accuracy: 0.7 }));
  assert.ok(better({ macroF1: 0.51, accuracy: 0.6 }, { macroF1: 0.5, accuracy: 0.7 }));
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
      // Only the start (lambda 1e-6) predicts well.
      return Promise.resolve(
        candidates.map((h) =>
          h.lambda === DEFAULT_HYPERPARAMETERS.lambda && h.idfPower === 2.5 &&
            h.subwordWeight === 0.3
            ? logits([[1, 0], [0, 1], [1, 0], [0, 1]])
            : logits([[1, 0], [1, 0], [1, 0], [1, 0]])
        ),
      );
    },
  });
  // Balanced classes: class weights are not searched.
  assert.ok(asked.every((h) => h.classWeightPower === 0));
  assert.equal(result.report.trials.length, asked.length);
  assert.equal(result.report.chosen, 0);
  assert.equal(result.h.lambda, DEFAULT_HYPERPARAMETERS.lambda);
  assert.equal(result.report.trials[0].macroF1, 1);
});

Deno.test("searchHyperparameters() moves to a better candidate, honours fixed keys and maxTrials", async () => {
  const y = Int32Array.of(0, 0, 0, 1);
  const result = await searchHyperparameters({
    start: DEFAULT_HYPERPARAMETERS,
    labels: y,
    k: 2,
    rows: [0, 1, 2, 3],
    fixed: new Set(["idfPower"]),
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
  assert.equal(result.report.trials.length, 4);
  assert.ok(result.report.trials.every((t) => t.hyperparameters.idfPower === 2.5));
  assert.equal(result.report.trials[result.report.chosen].macroF1, 1);
});
