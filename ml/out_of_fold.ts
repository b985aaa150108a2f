// Out-of-fold probabilities of every row from the trainer's own cross-fitting, without the
// final refit: what label-issues ranks.

import { fitCalibration } from "./calibration.ts";
import { crossFitJobs, runFits } from "./cross_fit.ts";
import type { FitJob } from "./fit.ts";
import { calibratedLogits, type Hyperparameters, softmax } from "./model.ts";
import { mulberry32, shuffleInPlace } from "./prng.ts";
import { type Example, prepareTraining, type TrainProgress, withVectors } from "./train_data.ts";
import type { VectorProvider } from "./word_vectors.ts";

/** Options of {@link outOfFoldProbabilities}; hyperparameters not given take the defaults. */
export interface OutOfFoldOptions extends Partial<Hyperparameters> {
  /** Folds of each cross-fitting (2 or more; default 5). */
  folds?: number;
  /** Independent cross-fittings, each with its own split and SGD seeds, averaged (default 1). */
  repeats?: number;
  /** PRNG seed of the first cross-fitting; repeat r uses seed + r (default 1). */
  seed?: number;
  /** Label order (default: the distinct labels, sorted). */
  labels?: string[];
  /** Pretrained word vectors for the fits' dense block (none: no dense block). */
  vectors?: VectorProvider;
  onProgress?: (p: TrainProgress) => void;
}

/** Out-of-fold predictions: what a model trained without each row says about it. */
export interface OutOfFold {
  labels: string[];
  /** The given label of each row, as an index into `labels`. */
  given: Int32Array;
  /** Calibrated probabilities of each row, in `labels` order, averaged over the repeats. */
  probabilities: Float64Array[];
}

/**
 * Calibrated out-of-fold probabilities of every row, from the trainer's own k-fold
 * cross-fitting (the same features, hyperparameters, fold split and calibration as
 * {@link trainTextClassifier}), without the final refit. Each repeat is calibrated on its
 * own out-of-fold logits; the repeats' probabilities are averaged. Deterministic for a seed.
 */
export async function outOfFoldProbabilities(
  examples: readonly Example[],
  options: OutOfFoldOptions = {},
): Promise<OutOfFold> {
  const { folds = 5, repeats = 1, seed = 1, onProgress } = options;
  if (!Number.isInteger(folds) || folds < 2 || folds > examples.length) {
    throw new Error(`cross-fitting needs 2 to ${examples.length} folds, not ${folds}`);
  }
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error("repeats must be 1 or more");
  const prepared = prepareTraining(examples, options);
  const { labels, data } = prepared;
  const { h, vectors } = await withVectors(prepared.h, data, options);
  const jobs: FitJob[] = [];
  for (let r = 0; r < repeats; r++) {
    const order = shuffleInPlace([...examples.keys()], mulberry32(seed + r));
    jobs.push(...crossFitJobs(order, folds, seed + r));
  }
  let fitted = 0;
  const results = await runFits({ data, labels, h, vectors }, jobs, {
    onFitted: () => onProgress?.({ stage: "train", done: ++fitted, total: jobs.length }),
  });
  const probabilities = examples.map(() => new Float64Array(labels.length));
  for (let r = 0; r < repeats; r++) {
    const rows: number[] = [];
    const logits: Float64Array[] = [];
    for (let f = r * folds; f < (r + 1) * folds; f++) {
      rows.push(...jobs[f].held);
      logits.push(...results[f].heldLogits);
    }
    const c = fitCalibration(logits, rows.map((row) => data.labels[row]));
    rows.forEach((row, i) => {
      const p = softmax(calibratedLogits(logits[i], c.temperature, c.mix));
      for (let k = 0; k < p.length; k++) probabilities[row][k] += p[k] / repeats;
    });
  }
  onProgress?.({ stage: "calibrate", done: 1, total: 1 });
  return { labels, given: data.labels, probabilities };
}
