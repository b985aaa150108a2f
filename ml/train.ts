// Trains the topic classifier of model.ts: a linear model over word unigrams, hashed bigrams
// and hashed character n-grams of each word, each feature weighted by IDF^p and the vector
// L2-normalised, fitted by SGD with L2 regularisation on a one-vs-rest squared hinge or softmax
// loss (fit.ts, sgd.ts).
// Calibration is fitted on out-of-fold predictions of k-fold cross-fitting with the same
// hyperparameters, then the model is refit on all rows.
// Written by hand: no maintained npm package trains a sparse linear model in TypeScript, and
// the model must match the ONNX graph we export feature for feature.

import { type Calibration, fitCalibration, meanNll } from "./calibration.ts";
import {
  classCounts,
  classWeights,
  type CleanMode,
  labelQualityWeights,
  logitAdjustment,
  rowWeights,
} from "./class_weights.ts";
import { crossFitJobs, runFits } from "./cross_fit.ts";
import { fit, type FitJob } from "./fit.ts";
import { rankLabels } from "./label_issues.ts";
import { evaluate, type EvaluationReport, type Prediction } from "./metrics.ts";
import {
  calibratedLogits,
  type Hyperparameters,
  softmax,
  type TextClassifierModel,
  type ValidationReport,
} from "./model.ts";
import { mulberry32, shuffleInPlace } from "./prng.ts";
import { bestTau, SEARCHED, searchHyperparameters, type SearchReport } from "./search.ts";
import { type Example, prepareTraining, type TrainProgress, withVectors } from "./train_data.ts";
import type { VectorProvider } from "./word_vectors.ts";

export { fitTemperature } from "./calibration.ts";
export {
  DEFAULT_HYPERPARAMETERS,
  defaultBuckets,
  type Example,
  type TrainProgress,
} from "./train_data.ts";
export { type OutOfFold, type OutOfFoldOptions, outOfFoldProbabilities } from "./out_of_fold.ts";

/** Options of {@link trainTextClassifier}; hyperparameters not given take the defaults. */
export interface TrainOptions extends Partial<Hyperparameters> {
  /** PRNG seed for the folds and SGD order (default 1). */
  seed?: number;
  /**
   * 0: no calibration and no validation report. Otherwise calibration and the report use
   * k-fold cross-fitting with k = round(1 / validationFraction), clamped to
   * [2, calibrationFolds] (default 0.1, so k = calibrationFolds).
   */
  validationFraction?: number;
  /** Label order of the model (default: the distinct labels, sorted). */
  labels?: string[];
  /**
   * Choose the hyperparameters not given here by a search on out-of-fold predictions
   * (search.ts; needs cross-fitting; default false).
   */
  search?: boolean;
  /** At most this many search candidates (default: all of search.ts's grid). */
  searchTrials?: number;
  /**
   * Noise-aware training: rank the rows by their out-of-fold probabilities (label_issues.ts)
   * and drop the likely mislabelled ones (`drop`) or weight them by the probability that
   * their label is right (`weight`) before cross-fitting again and refitting (default `none`).
   */
  clean?: CleanMode;
  /**
   * Pretrained word vectors for the dense block: called once with the words of the training
   * rows, it returns the rows of those words and of the `top` most frequent ones (e.g.
   * `readPackageVectors`, word_vectors.ts). Absent: no dense block.
   */
  vectors?: VectorProvider;
  onProgress?: (p: TrainProgress) => void;
}

export type { VectorProvider } from "./word_vectors.ts";

/**
 * Cross-fitting folds for a validation fraction: round(1 / fraction), clamped to
 * [2, calibrationFolds]; 0 (no cross-fitting) for a fraction of 0.
 */
export function crossFitFolds(validationFraction: number, calibrationFolds: number): number {
  if (validationFraction === 0) return 0;
  return Math.max(2, Math.min(calibrationFolds, Math.round(1 / validationFraction)));
}

/**
 * Trains a classifier on labelled texts (any label set of two or more labels). Texts are
 * normalised with `normalizeNewsText` (normalize.ts). Deterministic for a given seed.
 *
 * @example
 * ```ts
 * const model = await trainTextClassifier(
 *   [{ text: "goal scored in the final", label: "sport" }, { text: "shares fell", label: "markets" }],
 *   { validationFraction: 0, buckets: 1024 },
 * );
 * model.labels; // => ["markets", "sport"]
 * ```
 */
export async function trainTextClassifier(
  examples: readonly Example[],
  options: TrainOptions = {},
): Promise<TextClassifierModel> {
  const { seed = 1, validationFraction = 0.1, onProgress, clean = "none" } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new Error("validationFraction must be in [0, 1)");
  }
  const prepared = prepareTraining(examples, options);
  const { labels, data } = prepared;
  const { h: start, vectors } = await withVectors(prepared.h, data, options);
  const k = labels.length;
  const counts = classCounts(data.labels, k);
  const weightsFor = (h: Hyperparameters, base?: Float32Array) =>
    rowWeights(data.labels, classWeights(counts, h.classWeightPower), base);
  const all = [...examples.keys()];

  const random = mulberry32(seed);
  const order = shuffleInPlace([...examples.keys()], random);
  const folds = examples.length < 2 ? 0 : crossFitFolds(validationFraction, start.calibrationFolds);
  if (folds === 0) {
    const model = await fit(data, {
      rows: all,
      labels,
      h: start,
      vectors,
      random,
      rowWeights: weightsFor(start),
      onEpoch: (done) => onProgress?.({ stage: "train", done, total: start.epochs }),
    });
    return adjustBias({ ...model, temperature: 1 }, counts);
  }

  // Cross-fitting: every row is predicted by a model trained without it. The folds (of
  // every candidate a search tries) and the refit on all rows are independent fits, run in
  // parallel (see runFits).
  const cv = crossFitJobs(order, folds, seed);
  const oofRows = cv.flatMap((job) => job.held);
  const y = oofRows.map((r) => data.labels[r]);
  const run = async (jobs: FitJob[]) => {
    let fitted = 0;
    return await runFits({ data, labels, h: start, vectors }, jobs, {
      onFitted: () => onProgress?.({ stage: "train", done: ++fitted, total: jobs.length }),
    });
  };
  const refitJob = (h: Hyperparameters, base?: Float32Array): FitJob => ({
    rows: all,
    held: [],
    seed,
    h,
    weights: weightsFor(h, base),
    key: "all",
  });
  // Each candidate on the folds `over` (default all) and, in the same batch, the refit
  // (first: it is the longest fit); the held-out logits of each candidate in fold order.
  const crossFit = async (
    candidates: Hyperparameters[],
    options: { base?: Float32Array; refit?: FitJob; over?: FitJob[] } = {},
  ) => {
    const { base, refit, over = cv } = options;
    const jobs = candidates.flatMap((h) =>
      over.map((job) => ({ ...job, h, weights: weightsFor(h, base) }))
    );
    const results = await run(refit ? [refit, ...jobs] : jobs);
    const held = refit ? results.slice(1) : results;
    return {
      logits: candidates.map((_, i) =>
        held.slice(i * over.length, (i + 1) * over.length).flatMap((r) => r.heldLogits)
      ),
      refit: refit ? results[0].model! : undefined,
    };
  };

  let h = start;
  let oofLogits: Float64Array[];
  let search: SearchReport | undefined;
  let refitted: TextClassifierModel | undefined;
  // The refit goes with the last cross-fitting batch, unless cleaning refits later.
  const refitNow = (h: Hyperparameters) => h.refit && clean === "none" ? refitJob(h) : undefined;
  if (options.search) {
    // Every candidate on the first fold (one batch), then the winner on the other folds with
    // the refit (another batch).
    const fixed = new Set(SEARCHED.filter((key) => options[key] !== undefined));
    // Without vectors the dense block's settings change nothing.
    if (!vectors) fixed.add("vectorScale").add("vectorWeighting");
    const found = await searchHyperparameters({
      start,
      labels: data.labels,
      k,
      rows: cv[0].held,
      evaluate: async (candidates) => (await crossFit(candidates, { over: [cv[0]] })).logits,
      fixed,
      maxTrials: options.searchTrials,
    });
    h = found.h;
    search = found.report;
    const rest = await crossFit([h], { refit: refitNow(h), over: cv.slice(1) });
    refitted = rest.refit;
    oofLogits = [...found.logits, ...rest.logits[0]];
    if (!fixed.has("logitAdjustment")) {
      h = { ...h, logitAdjustment: bestTau(oofLogits, y, counts).tau };
    }
    search = { ...search, tau: h.logitAdjustment };
  } else {
    const plain = await crossFit([h], { refit: refitNow(h) });
    oofLogits = plain.logits[0];
    refitted = plain.refit;
  }

  let quality: { base: Float32Array; cleaned: number } | undefined;
  if (clean !== "none") {
    // Rank the rows by the chosen model's calibrated out-of-fold probabilities, then
    // cross-fit again with the likely errors dropped or down-weighted: the report then
    // describes the model that is shipped (still scored against the given labels).
    const p = calibratedProbabilities(
      shift(oofLogits, logitAdjustment(counts, h.logitAdjustment)),
      y,
    );
    const byRow = new Array<Float64Array>(examples.length);
    oofRows.forEach((r, i) => (byRow[r] = p[i]));
    quality = labelQualityWeights(rankLabels(byRow, data.labels), clean);
    const again = await crossFit([h], {
      base: quality.base,
      refit: h.refit ? refitJob(h, quality.base) : undefined,
    });
    oofLogits = again.logits[0];
    refitted = again.refit;
  } else if (h.refit && !refitted) {
    refitted = (await run([refitJob(h)]))[0].model!;
  }

  onProgress?.({ stage: "calibrate", done: 0, total: 1 });
  const { calibration, validation } = calibrateOutOfFold({
    logits: shift(oofLogits, logitAdjustment(counts, h.logitAdjustment)),
    rows: oofRows,
    y,
    gold: labels,
    rowLabels: data.labels,
    foldSizes: cv.slice(0, folds).map((job) => job.held.length),
    extra: {
      ...(search ? { search } : {}),
      ...(quality ? { clean: { mode: clean, rows: quality.cleaned } } : {}),
    },
  });
  onProgress?.({ stage: "calibrate", done: 1, total: 1 });
  // Without a refit the first fold's model is shipped (as before).
  const model = refitted ??
    (await run([{ ...cv[0], h, weights: weightsFor(h, quality?.base), wantModel: true }]))[0]
      .model!;
  if (h.refit) onProgress?.({ stage: "refit", done: 1, total: 1 });
  return adjustBias({
    ...model,
    // The refit was fitted before the search chose tau again on all out-of-fold rows; tau
    // only moves the bias, so the model carries (and adjustBias folds in) the final one.
    hyperparameters: { ...model.hyperparameters, logitAdjustment: h.logitAdjustment },
    temperature: calibration.temperature,
    uniformMix: calibration.mix,
    validation,
  }, counts);
}

/**
 * Calibration fitted on the (logit-adjusted) out-of-fold logits, and the validation report
 * before and after it: overall and per fold (`foldSizes`, in the order of `rows`).
 */
function calibrateOutOfFold(o: {
  logits: Float64Array[];
  rows: number[];
  y: number[];
  gold: string[];
  rowLabels: ArrayLike<number>;
  foldSizes: number[];
  extra: Pick<ValidationReport, "search" | "clean">;
}): { calibration: Calibration; validation: ValidationReport } {
  const { logits: adjusted, y, gold: labels } = o;
  const calibration = fitCalibration(adjusted, y);
  const gold = o.rows.map((r) => labels[o.rowLabels[r]]);
  const none: Calibration = { temperature: 1, mix: 0 };
  const before = evaluate(gold, adjusted.map((z) => toPrediction(z, none, labels)), labels);
  const calibrated = adjusted.map((z) => toPrediction(z, calibration, labels));
  const after = evaluate(gold, calibrated, labels);
  const perFold: EvaluationReport[] = [];
  let from = 0;
  for (const size of o.foldSizes) {
    perFold.push(
      evaluate(gold.slice(from, from + size), calibrated.slice(from, from + size), labels),
    );
    from += size;
  }
  return {
    calibration,
    validation: {
      size: o.rows.length,
      report: after,
      eceBefore: before.ece,
      eceAfter: after.ece,
      nllBefore: meanNll(adjusted, y, { temperature: 1 }),
      nllAfter: meanNll(adjusted, y, calibration),
      folds: o.foldSizes.length,
      perFold,
      ...o.extra,
    },
  };
}

/** Folds the prior correction of the model's hyperparameters into its bias. */
function adjustBias(model: TextClassifierModel, counts: Int32Array): TextClassifierModel {
  const tau = model.hyperparameters.logitAdjustment;
  if (!tau) return model;
  const adjustment = logitAdjustment(counts, tau);
  return { ...model, bias: Float32Array.from(model.bias, (b, c) => b + adjustment[c]) };
}

/** `logits + s` for each row. */
function shift(logits: readonly Float64Array[], s: Float64Array): Float64Array[] {
  if (s.every((x) => x === 0)) return [...logits];
  return logits.map((z) => z.map((x, c) => x + s[c]));
}

/** Calibrated probabilities of out-of-fold logits, calibration fitted on them. */
function calibratedProbabilities(logits: readonly Float64Array[], y: number[]): Float64Array[] {
  const c = fitCalibration(logits, y);
  return logits.map((z) => softmax(calibratedLogits(z, c.temperature, c.mix)));
}

function toPrediction(logits: Float64Array, c: Calibration, labels: string[]): Prediction {
  const p = softmax(calibratedLogits(logits, c.temperature, c.mix));
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  const scores: Record<string, number> = {};
  labels.forEach((l, i) => (scores[l] = p[i]));
  return { label: labels[best], score: p[best], scores };
}
