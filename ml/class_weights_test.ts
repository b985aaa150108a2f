import assert from "node:assert/strict";
import {
  classCounts,
  classWeights,
  labelQualityWeights,
  logitAdjustment,
  MAX_CLASS_WEIGHT,
  rowWeights,
} from "./class_weights.ts";

Deno.test("classWeights() is 1 at power 0, balanced at power 1, capped, 0 for an empty class", () => {
  const counts = Int32Array.of(30, 10, 0, 1);
  assert.deepEqual([...classWeights(counts, 0)].slice(0, 2), [1, 1]);
  const balanced = classWeights(counts, 1);
  assert.ok(Math.abs(balanced[0] - 41 / (4 * 30)) < 1e-12);
  assert.ok(Math.abs(balanced[1] - 41 / (4 * 10)) < 1e-12);
  assert.equal(balanced[2], 0);
  assert.equal(balanced[3], MAX_CLASS_WEIGHT, "41 / 4 = 10.25 is capped");
  const tempered = classWeights(counts, 0.5);
  assert.ok(Math.abs(tempered[1] - Math.sqrt(41 / 40)) < 1e-12);
});

Deno.test("rowWeights() has mean 1, multiplies a base weight, and is undefined when all are 1", () => {
  const labels = Int32Array.of(0, 0, 0, 1);
  assert.equal(rowWeights(labels, [1, 1]), undefined);
  const w = rowWeights(labels, classWeights(classCounts(labels, 2), 1))!;
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) / 4 - 1) < 1e-6);
  assert.ok(Math.abs(w[3] / w[0] - 3) < 1e-6, "the single row weighs 3 rows of the other class");
  const based = rowWeights(labels, [1, 1], [1, 1, 0, 1])!;
  assert.equal(based[2], 0);
  assert.ok(Math.abs(based[0] - 4 / 3) < 1e-6);
});

Deno.test("logitAdjustment() subtracts tau * log(prior)", () => {
  const a = logitAdjustment(Int32Array.of(75, 25), 1);
  assert.ok(Math.abs(a[0] + Math.log(0.75)) < 1e-12);
  assert.ok(a[1] > a[0], "the smaller class is lifted more");
  assert.deepEqual([...logitAdjustment(Int32Array.of(75, 25), 0)], [0, 0]);
});

Deno.test("labelQualityWeights() drops or down-weights only the flagged rows", () => {
  const ranked = [
    { index: 2, score: 0.1, issue: true },
    { index: 0, score: 0.4, issue: true },
    { index: 1, score: 0.45, issue: false },
  ];
  const drop = labelQualityWeights(ranked, "drop");
  assert.deepEqual([...drop.base], [0, 1, 0]);
  assert.equal(drop.cleaned, 2);
  const weight = labelQualityWeights(ranked, "weight");
  assert.deepEqual([...weight.base].map((x) => Math.round(x * 100) / 100), [0.4, 1, 0.1]);
});
