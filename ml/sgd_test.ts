import assert from "node:assert/strict";
import type { Hyperparameters } from "./model.ts";
import { mulberry32 } from "./prng.ts";
import { HINGE_SCALE, lossGradient, sgd, toCsr } from "./sgd.ts";
import { DEFAULT_HYPERPARAMETERS } from "./train_data.ts";

/** The loss of scores `z` for gold class `y` (what lossGradient differentiates). */
function loss(z: Float64Array, y: number, kind: Hyperparameters["loss"]): number {
  if (kind === "squaredHinge") {
    return z.reduce((s, x, c) => s + Math.max(0, 1 - (c === y ? 1 : -1) * x) ** 2, 0);
  }
  const max = Math.max(...z);
  return max + Math.log(z.reduce((s, x) => s + Math.exp(x - max), 0)) - z[y];
}

for (const kind of ["softmax", "squaredHinge"] as const) {
  Deno.test(`lossGradient() is the gradient of the ${kind} loss`, () => {
    const z = Float64Array.of(0.3, -1.4, 0.9, 2.2);
    const y = 2;
    const grad = Float64Array.from(z);
    lossGradient(grad, y, kind);
    const eps = 1e-6;
    z.forEach((_, c) => {
      const up = Float64Array.from(z), down = Float64Array.from(z);
      up[c] += eps;
      down[c] -= eps;
      const numeric = (loss(up, y, kind) - loss(down, y, kind)) / (2 * eps);
      assert.ok(Math.abs(numeric - grad[c]) < 1e-5, `class ${c}: ${numeric} vs ${grad[c]}`);
    });
  });
}

Deno.test("lossGradient() with squaredHinge leaves classes beyond their margin alone", () => {
  // Gold class 0 above +1, the others below -1: no loss, no update.
  const grad = Float64Array.of(1.5, -1.2, -3);
  lossGradient(grad, 0, "squaredHinge");
  assert.deepEqual([...grad], [0, 0, 0]);
  // Only the other class inside the margin (-0.5 > -1) is pushed down.
  const inside = Float64Array.of(1.5, -0.5, -3);
  lossGradient(inside, 0, "squaredHinge");
  assert.deepEqual([...inside], [0, 1, 0]);
});

Deno.test("sgd() with squaredHinge separates a toy set, its scores on the softmax logits' scale", async () => {
  // Three classes, each with its own feature (0-2) and a shared one (3).
  const rowIds = Array.from({ length: 60 }, (_, i) => Int32Array.of(i % 3, 3));
  const y = Int32Array.from(rowIds, (_, i) => i % 3);
  const x = toCsr(rowIds, Float64Array.of(1, 1, 1, 1));
  const k = 3;
  const weights = new Float32Array(4 * k), bias = new Float64Array(k);
  const h = { ...DEFAULT_HYPERPARAMETERS, loss: "squaredHinge" as const, learningRate: 0.05 };
  await sgd(x, y, { weights, bias, h, random: mulberry32(1), onEpoch: () => {} });
  for (let r = 0; r < 3; r++) {
    const z = Array.from({ length: k }, (_, c) => {
      let s = bias[c];
      for (let q = x.offsets[r]; q < x.offsets[r + 1]; q++) {
        s += weights[x.ids[q] * k + c] * x.values[q];
      }
      return s;
    });
    const top = z.indexOf(Math.max(...z));
    assert.equal(top, y[r]);
    // A margin of about 1 on the hinge's scale is about HINGE_SCALE on the logits'.
    assert.ok(z[top] > HINGE_SCALE / 2, `gold score ${z[top]}`);
  }
});
