// The optimiser of fit.ts: g-weighted, L2-normalised sparse rows (CSR) and a linear model fitted
// on them by SGD, with an optional weight per row (class weights, label quality). The loss is
// one-vs-rest squared hinge (the default: what a LinearSVC fits) or softmax cross-entropy. On
// the HuffPost categories the hinge's out-of-fold predictions beat the softmax's on accuracy
// and macro-F1 together (bench/taxonomy.ts); either way the served probabilities come from the
// calibration fitted on out-of-fold scores (calibration.ts), not from the loss.

import type { Hyperparameters, Loss } from "./model.ts";

/** Sparse feature rows in CSR form. */
export interface Features {
  offsets: Int32Array;
  ids: Int32Array;
  values: Float32Array;
}

const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A class's update is skipped when its gradient is below this. With many labels most
 * classes' probabilities are near 0 (the hinge: most classes beyond their margin, gradient
 * exactly 0) for most rows after the first epoch; skipping them cuts
 * the update work about k-fold (29 HuffPost categories: an epoch about 2.5 times faster)
 * while the updates that matter are made in full.
 */
const GRADIENT_FLOOR = 1e-4;

/**
 * What the squared hinge's scores are multiplied by when SGD ends: its margins sit about -1
 * to 1, softmax logits about 8 times wider, so the prior correction's grid (search.ts) and
 * the calibration's temperature keep their ranges whatever the loss (at 8 the grid's taus
 * 0.4-0.6 land where the hinge's out-of-fold scores on HuffPost peak).
 */
export const HINGE_SCALE = 8;

/**
 * Builds L2-normalised, g-weighted CSR rows, each followed by its `dense` values (a block of
 * its own, with its own normalisation). The norm counts every occurrence (as the graph
 * does); repeated features are then merged into one entry with the summed value, and features
 * with g = 0 dropped, which changes nothing in the model but saves SGD work.
 */
export function toCsr(
  rowIds: readonly Int32Array[],
  g: Float64Array,
  dense?: { dim: number; rows: readonly Float32Array[] },
): Features {
  const offsets = new Int32Array(rowIds.length + 1);
  const dim = dense?.dim ?? 0;
  let total = rowIds.length * dim;
  for (const f of rowIds) total += f.length;
  const ids = new Int32Array(total);
  const values = new Float32Array(total);
  // slot[id] = where feature id sits in the current row (rows are disjoint ranges of `ids`).
  const slot = new Int32Array(g.length).fill(-1);
  let end = 0;
  rowIds.forEach((f, r) => {
    let norm2 = 0;
    for (const id of f) norm2 += g[id] * g[id];
    const scale = 1 / Math.max(Math.sqrt(norm2), 1e-6);
    const start = end;
    for (const id of f) {
      if (g[id] === 0) continue;
      if (slot[id] >= start) values[slot[id]] += g[id] * scale;
      else (slot[id] = end), (ids[end] = id), (values[end++] = g[id] * scale);
    }
    // The dense block follows as features g.length.., already normalised and scaled.
    for (let j = 0; j < dim; j++) {
      const x = dense!.rows[r][j];
      if (x !== 0) (ids[end] = g.length + j), (values[end++] = x);
    }
    offsets[r + 1] = end;
  });
  return { offsets, ids: ids.subarray(0, end), values: values.subarray(0, end) };
}

/** The parameters {@link sgd} updates in place (one bias per class), and how it runs. */
export interface SgdOptions {
  /** Feature-major: `weights[feature * k + class]`. */
  weights: Float32Array;
  bias: Float64Array;
  h: Hyperparameters;
  random: () => number;
  /** Weight of each row's loss (default 1 each); a row of weight 0 is never visited. */
  rowWeights?: Float32Array;
  onEpoch: (done: number) => void;
}

/**
 * Fits the linear layer for `h.loss` by SGD with a decaying step size and L2 regularisation
 * applied lazily through a global scale factor (Bottou's trick), so each step costs only the
 * row's non-zeros. A row's weight multiplies its step.
 */
export async function sgd(x: Features, y: Int32Array, options: SgdOptions): Promise<void> {
  const { weights: w, bias, h, random, rowWeights, onEpoch } = options;
  const { offsets, ids, values } = x;
  const k = bias.length;
  const loss = h.loss ?? "softmax";
  const order = Int32Array.from(
    rowWeights ? [...y.keys()].filter((r) => rowWeights[r] > 0) : y.keys(),
  );
  const n = order.length;
  const z = new Float64Array(k);
  const steps = new Float64Array(k);
  const active = new Int32Array(k);
  let scale = 1;
  let t = 0;
  for (let epoch = 0; epoch < h.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    for (let s = 0; s < n; s++) {
      const r = order[s];
      const eta = h.learningRate / (1 + h.learningRate * h.lambda * t++);
      const rowEta = rowWeights ? eta * rowWeights[r] : eta;
      const start = offsets[r], end = offsets[r + 1];
      for (let c = 0; c < k; c++) z[c] = bias[c];
      for (let q = start; q < end; q++) {
        const base = ids[q] * k, val = values[q] * scale;
        for (let c = 0; c < k; c++) z[c] += w[base + c] * val;
      }
      lossGradient(z, y[r], loss);
      scale *= 1 - eta * h.lambda;
      let m = 0;
      for (let c = 0; c < k; c++) {
        const grad = z[c];
        if (grad > -GRADIENT_FLOOR && grad < GRADIENT_FLOOR) continue;
        // The bias is unregularised; a smaller step keeps it from oscillating.
        bias[c] -= rowEta * 0.1 * grad;
        steps[m] = (rowEta * grad) / scale;
        active[m++] = c;
      }
      if (m > 0) {
        for (let q = start; q < end; q++) {
          const base = ids[q] * k, val = values[q];
          for (let a = 0; a < m; a++) w[base + active[a]] -= steps[a] * val;
        }
      }
      if (scale < 1e-6) {
        for (let i = 0; i < w.length; i++) w[i] *= scale;
        scale = 1;
      }
    }
    onEpoch(epoch + 1);
    await yieldToEventLoop();
  }
  if (loss === "squaredHinge") {
    scale *= HINGE_SCALE;
    for (let c = 0; c < k; c++) bias[c] *= HINGE_SCALE;
  }
  if (scale !== 1) { for (let i = 0; i < w.length; i++) w[i] *= scale; }
}

/**
 * Replaces the scores `z` by the gradient of the row's loss with respect to them, for gold
 * class `y`. `softmax`: cross-entropy of softmax(z). `squaredHinge`: one-vs-rest
 * max(0, 1 - s_c z_c)^2 with s_c = +1 for the gold class and -1 for the others, what a
 * LinearSVC fits.
 */
export function lossGradient(z: Float64Array, y: number, loss: Loss): void {
  const k = z.length;
  if (loss === "squaredHinge") {
    for (let c = 0; c < k; c++) {
      const s = c === y ? 1 : -1;
      const margin = 1 - s * z[c];
      z[c] = margin > 0 ? -2 * s * margin : 0;
    }
    return;
  }
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, z[c]);
  let total = 0;
  for (let c = 0; c < k; c++) total += z[c] = Math.exp(z[c] - max);
  for (let c = 0; c < k; c++) z[c] = z[c] / total - (c === y ? 1 : 0);
}
