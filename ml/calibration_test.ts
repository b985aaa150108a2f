import assert from "node:assert/strict";
import { fitCalibration, fitTemperature, meanNll } from "./calibration.ts";

Deno.test("fitCalibration() mixes in the uniform for confident mistakes", () => {
  // Half the rows have gap 2 (p = 0.88) and are right 88% of the time; the other half gap 20
  // but are right only 90% of the time: one temperature cannot fit both halves.
  const y = Array.from({ length: 200 }, (_, i) => (i < 100 ? (i < 12 ? 1 : 0) : i < 110 ? 1 : 0));
  const z = y.map((_, i) => Float64Array.of(i < 100 ? 2 : 20, 0));
  const c = fitCalibration(z, y);
  assert.ok(c.mix > 0);
  assert.ok(meanNll(z, y, c) <= meanNll(z, y, { temperature: fitTemperature(z, y) }) + 1e-9);
});

Deno.test("fitCalibration() keeps the mix at 0 for logits a temperature fits", () => {
  // Gap 0.5 everywhere, right 90% of the time: temperature < 1 does it, no uniform share needed.
  const y = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const z = y.map(() => Float64Array.of(0.5, 0));
  const c = fitCalibration(z, y);
  assert.equal(c.mix, 0);
  assert.ok(Math.abs(c.temperature - fitTemperature(z, y)) < 1e-3);
});

Deno.test("meanNll() is the mean negative log-probability of the gold label", () => {
  const nll = meanNll([Float64Array.of(0, 0)], [0], { temperature: 1 });
  assert.ok(Math.abs(nll - Math.log(2)) < 1e-12);
  assert.ok(
    Math.abs(meanNll([Float64Array.of(50, 0)], [1], { temperature: 1, mix: 0.5 }) - Math.log(4)) <
      1e-9,
  );
});
