// The trained topic model and its TypeScript forward pass. The model is linear over word
// unigrams and hashed word bigrams; each feature carries a fixed weight g (an IDF power) that is
// folded into its logit row, and a text's feature vector is divided by its L2 norm. The ONNX
// graph (onnx_export.ts) computes exactly this function; this file is the reference for it.

import type { EvaluationReport } from "./metrics.ts";
import { UNK_ID } from "./tokenizer.ts";

/** Training hyperparameters (all have defaults in train.ts). */
export interface Hyperparameters {
  /** Keep words seen in at least this many training texts. */
  minCount: number;
  /** Hash buckets for word bigrams. */
  buckets: number;
  /** Bigram id = (left * hashMultiplier + right) mod buckets. */
  hashMultiplier: number;
  /** Feature weight g = (ln((1 + n) / (1 + df)) + 1) ** idfPower. */
  idfPower: number;
  /** L2 regularisation strength. */
  lambda: number;
  /** Passes of SGD over the training texts. */
  epochs: number;
  /** Initial SGD step size. */
  learningRate: number;
  /** Tokens kept per text (the tokenizer truncates to this). */
  maxLength: number;
  /** Retrain on all examples after calibrating on the validation split. */
  refit: boolean;
}

/** What training measured on the held-out validation split. */
export interface ValidationReport {
  /** Rows in the validation split. */
  size: number;
  /** Report for calibrated predictions of the model trained without the validation rows. */
  report: EvaluationReport;
  /** Expected calibration error before temperature scaling. */
  eceBefore: number;
  /** Expected calibration error after temperature scaling. */
  eceAfter: number;
  /** Mean negative log-likelihood before / after temperature scaling. */
  nllBefore: number;
  nllAfter: number;
}

/** A trained text classifier (see the module comment for the function it computes). */
export interface TextClassifierModel {
  labels: string[];
  /** `vocabulary[id]` is the token with that id; `[PAD]` is 0, `[UNK]` is 1. */
  vocabulary: string[];
  /** [vocabulary.length * labels.length] logit contributions, g already folded in. */
  unigramWeights: Float32Array;
  /** [vocabulary.length] g² per word, summed for the L2 norm. */
  unigramNorm: Float32Array;
  /** [buckets * labels.length] */
  bigramWeights: Float32Array;
  /** [buckets] */
  bigramNorm: Float32Array;
  /** [labels.length] */
  bias: Float32Array;
  /** Softmax temperature fitted on the validation split (logits are divided by it). */
  temperature: number;
  hyperparameters: Hyperparameters;
  /** Absent when training used no validation split. */
  validation?: ValidationReport;
}

/** Guards the division by the norm for empty texts (then the logits are the bias). */
export const NORM_EPSILON = 1e-6;

const vocabIndex = new WeakMap<TextClassifierModel, Map<string, number>>();

/** Maps words (as produced by `createWordSplitter()`) to ids, truncated to `maxLength`. */
export function encodeWords(model: TextClassifierModel, words: readonly string[]): Int32Array {
  let index = vocabIndex.get(model);
  if (!index) {
    index = new Map(model.vocabulary.map((w, i) => [w, i]));
    vocabIndex.set(model, index);
  }
  const n = Math.min(words.length, model.hyperparameters.maxLength);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = index.get(words[i]) ?? UNK_ID;
  return ids;
}

/** Bucket of the bigram (left, right); the graph computes the same in int64. */
export function bigramBucket(left: number, right: number, h: Hyperparameters): number {
  // left * multiplier stays below 2^53 for any realistic vocabulary, so doubles are exact.
  return (left * h.hashMultiplier + right) % h.buckets;
}

/**
 * Logits for one text given as token ids (unpadded: padding is the graph's attention mask). With `calibrated` (default) they are divided by
 * the temperature, as the exported graph does.
 */
export function modelLogits(
  model: TextClassifierModel,
  ids: ArrayLike<number>,
  options: { calibrated?: boolean } = {},
): Float64Array {
  const k = model.labels.length;
  const sum = new Float64Array(k);
  let norm2 = 0;
  const h = model.hyperparameters;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    norm2 += model.unigramNorm[id];
    for (let c = 0; c < k; c++) sum[c] += model.unigramWeights[id * k + c];
    if (i + 1 < ids.length) {
      const b = bigramBucket(id, ids[i + 1], h);
      norm2 += model.bigramNorm[b];
      for (let c = 0; c < k; c++) sum[c] += model.bigramWeights[b * k + c];
    }
  }
  const scale = 1 / Math.max(Math.sqrt(norm2), NORM_EPSILON);
  const t = options.calibrated === false ? 1 : model.temperature;
  for (let c = 0; c < k; c++) sum[c] = (sum[c] * scale + model.bias[c]) / t;
  return sum;
}

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}
