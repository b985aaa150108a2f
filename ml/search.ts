// Hyperparameter search of the trainer: coordinate descent over a small grid, each candidate
// scored on out-of-fold predictions of the run's own cross-fitting (so the chosen candidate's
// predictions are also what calibration and the report use, at no extra cost).
//
// The selection metric is macro-F1, ties broken by accuracy: every label counts the same, so on
// a skewed label set a candidate that never predicts the small labels loses to one that does
// even when the big labels give it a little more accuracy; on a balanced set macro-F1 and
// accuracy agree anyway. Macro-F1 within TIE of each other counts as a tie: out-of-fold
// macro-F1 over labels of 10-40 rows moves by about that from one seed to the next, and on the
// HuffPost sample the candidate 0.004 ahead was 1.3 points of accuracy behind. The prior correction tau (class_weights.ts) is chosen
// for each candidate on its predictions alone, without refitting.
//
// The number of trials is fixed (not a clock), so a seed gives the same model on any machine;
// each trial is k fits on the rows, so the search's time grows linearly with the rows.

import { classCounts, logitAdjustment } from "./class_weights.ts";
import {
  type Hyperparameters,
  SEARCHED,
  type SearchedKey,
  type SearchReport,
  type SearchTrial,
} from "./model.ts";

export { SEARCHED, type SearchedKey, type SearchReport, type SearchTrial };

/** Candidate values per hyperparameter, tried in this order (the first a trial changes). */
export const SEARCH_GRID: ReadonlyArray<
  { key: Exclude<SearchedKey, "logitAdjustment">; values: number[] }
> = [
  { key: "classWeightPower", values: [0.25, 0.5] },
  { key: "idfPower", values: [1.5] },
  { key: "lambda", values: [1e-4] },
  { key: "subwordWeight", values: [0.6] },
];

/** Prior corrections tried on each candidate's predictions. */
export const TAU_GRID = [0, 0.25, 0.5, 0.75, 1];

/** Options of {@link searchHyperparameters}. */
export interface SearchOptions {
  /** Where the search starts (the defaults and what the caller fixed). */
  start: Hyperparameters;
  /** Label of each data row (the class counts and the priors come from these). */
  labels: Int32Array;
  /** Number of labels. */
  k: number;
  /** Data row of each out-of-fold prediction, in the order `evaluate` returns them. */
  rows: readonly number[];
  /** Out-of-fold logits of each candidate (one array per candidate, in `rows` order). */
  evaluate: (candidates: Hyperparameters[]) => Promise<Float64Array[][]>;
  /** Hyperparameters fixed by the caller: never searched. */
  fixed?: ReadonlySet<string>;
  /** At most this many candidates in all, the start included (default 4). */
  maxTrials?: number;
}

/** The chosen hyperparameters, their out-of-fold logits (prior correction not applied) and the trials. */
export interface SearchResult {
  h: Hyperparameters;
  logits: Float64Array[];
  report: SearchReport;
}

/**
 * Coordinate descent from `start`: for each hyperparameter of {@link SEARCH_GRID} in turn, its
 * candidate values are scored together (one batch of fits) and the best candidate so far is
 * kept. Labels are skipped when the classes are about balanced (largest at most 1.5 times the
 * smallest), where class weights change nothing. Deterministic.
 */
export async function searchHyperparameters(options: SearchOptions): Promise<SearchResult> {
  const { start, labels, k, rows, evaluate, fixed = new Set(), maxTrials = 4 } = options;
  const counts = classCounts(labels, k);
  const y = Int32Array.from(rows, (r) => labels[r]);
  const balanced = Math.max(...counts) <= 1.5 * Math.min(...counts);
  const trials: SearchTrial[] = [];
  const scored = (h: Hyperparameters, logits: Float64Array[]) => {
    const best = bestTau(logits, y, counts);
    const trial: SearchTrial = {
      hyperparameters: pick({ ...h, logitAdjustment: best.tau }),
      accuracy: best.accuracy,
      macroF1: best.macroF1,
    };
    trials.push(trial);
    return trial;
  };
  let best = {
    h: start,
    logits: (await evaluate([start]))[0],
    trial: undefined as unknown as SearchTrial,
  };
  best.trial = scored(start, best.logits);
  let chosen = 0;
  for (const { key, values } of SEARCH_GRID) {
    if (fixed.has(key) || (key === "classWeightPower" && balanced)) continue;
    const candidates = values.filter((v) => v !== best.h[key])
      .slice(0, Math.max(0, maxTrials - trials.length))
      .map((v) => ({ ...best.h, [key]: v }));
    if (candidates.length === 0) continue;
    const results = await evaluate(candidates);
    candidates.forEach((h, i) => {
      const trial = scored(h, results[i]);
      if (better(trial, best.trial)) {
        best = { h, logits: results[i], trial };
        chosen = trials.length - 1;
      }
    });
  }
  const h = fixed.has("logitAdjustment")
    ? best.h
    : { ...best.h, logitAdjustment: best.trial.hyperparameters.logitAdjustment };
  return { h, logits: best.logits, report: { metric: "macroF1", trials, chosen } };
}

/** Macro-F1 differences up to this are ties (see the module comment). */
export const TIE = 0.005;

/** Whether `a` beats `b`: higher macro-F1 by more than {@link TIE}, or a tie and higher accuracy. */
export function better(
  a: { macroF1: number; accuracy: number },
  b: { macroF1: number; accuracy: number },
): boolean {
  if (Math.abs(a.macroF1 - b.macroF1) > TIE) return a.macroF1 > b.macroF1;
  return a.accuracy > b.accuracy + 1e-9;
}

/** The prior correction of {@link TAU_GRID} with the best macro-F1 (ties: accuracy, then the smaller tau). */
export function bestTau(
  logits: readonly Float64Array[],
  y: Int32Array,
  counts: ArrayLike<number>,
): { tau: number; accuracy: number; macroF1: number } {
  let best = { tau: 0, accuracy: -1, macroF1: -1 };
  for (const tau of TAU_GRID) {
    const score = { tau, ...argmaxScores(logits, y, logitAdjustment(counts, tau)) };
    if (better(score, best)) best = score;
  }
  return best;
}

/** Accuracy and macro-F1 of the argmax of `logits + shift` against `y`. */
export function argmaxScores(
  logits: readonly Float64Array[],
  y: Int32Array,
  shift: ArrayLike<number>,
): { accuracy: number; macroF1: number } {
  const k = shift.length;
  const tp = new Float64Array(k), predicted = new Float64Array(k), support = new Float64Array(k);
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    let top = 0;
    for (let c = 1; c < k; c++) if (z[c] + shift[c] > z[top] + shift[top]) top = c;
    predicted[top]++;
    support[y[i]]++;
    if (top === y[i]) tp[top]++;
  }
  let f1 = 0, correct = 0;
  for (let c = 0; c < k; c++) {
    correct += tp[c];
    const p = predicted[c] ? tp[c] / predicted[c] : 0, r = support[c] ? tp[c] / support[c] : 0;
    f1 += p + r ? (2 * p * r) / (p + r) : 0;
  }
  return { accuracy: logits.length ? correct / logits.length : 0, macroF1: k ? f1 / k : 0 };
}

function pick(h: Hyperparameters): Pick<Hyperparameters, SearchedKey> {
  return Object.fromEntries(SEARCHED.map((key) => [key, h[key]])) as Pick<
    Hyperparameters,
    SearchedKey
  >;
}
