// ml/cluster_metrics_test.ts — ARI, B-cubed and pairwise scores against hand-computed values.
import assert from "node:assert/strict";
import { clusterScores } from "./cluster_metrics.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

Deno.test("clusterScores() is perfect for the gold partition under other names", () => {
  const s = clusterScores(["a", "a", "b", "b", "c"], [7, 7, 1, 1, 3]);
  close(s.ari, 1);
  close(s.bcubed.f1, 1);
  assert.deepEqual(s.pairwise, { precision: 1, recall: 1 });
  assert.equal(s.clusters, 3);
  assert.equal(s.classes, 3);
});

Deno.test("clusterScores() matches hand-computed values on a small example", () => {
  // Gold {0,1,2}{3,4}; predicted {0,1}{2,3,4}.
  const s = clusterScores([1, 1, 1, 2, 2], ["x", "x", "y", "y", "y"]);
  // Pairs together in both: (0,1), (3,4) = 2; gold pairs 3 + 1 = 4; predicted 1 + 3 = 4.
  assert.deepEqual(s.pairwise, { precision: 0.5, recall: 0.5 });
  // ARI: expected 4·4/10 = 1.6, max 4 → (2 − 1.6) / (4 − 1.6) = 1/6.
  close(s.ari, 1 / 6);
  // B-cubed precision: items 0,1: 2/2; item 2: 1/3; items 3,4: 2/3 → (2 + 1/3 + 4/3) / 5.
  close(s.bcubed.precision, (2 + 1 / 3 + 4 / 3) / 5);
  // Recall: items 0,1: 2/3; item 2: 1/3; items 3,4: 2/2 → (4/3 + 1/3 + 2) / 5.
  close(s.bcubed.recall, (4 / 3 + 1 / 3 + 2) / 5);
});

Deno.test("clusterScores() punishes lumping everything together and splitting everything", () => {
  const gold = [1, 1, 2, 2, 3, 3];
  const lumped = clusterScores(gold, [0, 0, 0, 0, 0, 0]);
  close(lumped.ari, 0);
  close(lumped.bcubed.recall, 1);
  close(lumped.bcubed.precision, 1 / 3);
  const split = clusterScores(gold, [0, 1, 2, 3, 4, 5]);
  close(split.ari, 0);
  close(split.bcubed.precision, 1);
  close(split.bcubed.recall, 0.5);
  assert.equal(split.pairwise.recall, 0);
});

Deno.test("clusterScores() refuses labels of different lengths", () => {
  assert.throws(() => clusterScores([1, 2], [1]), RangeError);
});
