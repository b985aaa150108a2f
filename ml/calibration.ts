// Post-hoc calibration of the topic model: a temperature and a share of the uniform
// distribution, fitted by minimising the negative log-likelihood of held-out (out-of-fold)
// predictions. A temperature alone cannot fix this model: its raw scores are overconfident at
// the top (ambiguous Business/Sci-Tech texts scored 0.98) and underconfident in the middle, and
// the uniform share caps the top while the temperature sharpens the middle.

/** Calibration parameters: p = (1 - mix) * softmax(z / temperature) + mix / k. */
export interface Calibration {
  temperature: number;
  mix: number;
}

/** Mean negative log-likelihood of labels `y` under calibrated logits. */
export function meanNll(
  logits: readonly ArrayLike<number>[],
  y: readonly number[],
  calibration: { temperature: number; mix?: number },
): number {
  const { temperature, mix = 0 } = calibration;
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    let max = -Infinity;
    for (let c = 0; c < z.length; c++) max = Math.max(max, z[c]);
    let sum = 0;
    for (let c = 0; c < z.length; c++) sum += Math.exp((z[c] - max) / temperature);
    const p = Math.exp((z[y[i]] - max) / temperature) / sum;
    total -= Math.log(Math.max((1 - mix) * p + mix / z.length, 1e-12));
  }
  return logits.length ? total / logits.length : 0;
}

/** Minimum of a unimodal `f` on [lo, hi] by golden-section search in `steps` steps. */
function goldenSection(
  f: (x: number) => number,
  search: { lo: number; hi: number; steps: number },
): number {
  let { lo, hi } = search;
  const { steps } = search;
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  let fa = f(a), fb = f(b);
  for (let i = 0; i < steps; i++) {
    if (fa < fb) {
      hi = b, b = a, fb = fa, a = hi - phi * (hi - lo), fa = f(a);
    } else {
      lo = a, a = b, fa = fb, b = lo + phi * (hi - lo), fb = f(b);
    }
  }
  return (lo + hi) / 2;
}

/**
 * Temperature minimising the NLL of `logits` for labels `y`, by golden-section search over
 * log T in [-3, 3].
 */
export function fitTemperature(logits: readonly ArrayLike<number>[], y: readonly number[]): number {
  const nll = (logT: number) => meanNll(logits, y, { temperature: Math.exp(logT) });
  return Math.exp(goldenSection(nll, { lo: -3, hi: 3, steps: 60 }));
}

/**
 * Temperature and uniform share minimising the NLL of `logits` for labels `y`: for each share
 * on a grid of 0 to 0.2 in steps of 0.01, the best temperature by golden-section search; the
 * share is kept at 0 unless it lowers the NLL.
 *
 * @example
 * ```ts
 * const y = [0, 0, 0, 1];
 * const z = y.map(() => Float64Array.of(9, 0)); // always sure of label 0, right 3 times in 4
 * fitCalibration(z, y).mix > 0; // => true
 * ```
 */
export function fitCalibration(
  logits: readonly ArrayLike<number>[],
  y: readonly number[],
): Calibration {
  let best: Calibration & { nll: number } = { temperature: 1, mix: 0, nll: Infinity };
  for (let step = 0; step <= 20; step++) {
    const mix = step / 100;
    const at = (logT: number) => meanNll(logits, y, { temperature: Math.exp(logT), mix });
    const logT = goldenSection(at, { lo: -3, hi: 3, steps: 30 });
    const nll = at(logT);
    if (nll < best.nll - 1e-9) best = { temperature: Math.exp(logT), mix, nll };
  }
  return { temperature: best.temperature, mix: best.mix };
}
