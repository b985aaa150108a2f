// The trained topic model and its TypeScript forward pass. The model is linear over word
// unigrams, hashed word bigrams and hashed character n-grams of each word (fastText-style
// sub-word features); each feature carries a fixed weight g (an IDF power). A token's row holds
// the g-weighted logit contributions of the word and of all its character n-grams, and its
// norm entry their g², so the per-token tables stay one Gather each; a text's summed row is
// divided by the root of its summed norm entries. Calibrated probabilities are
// (1 - mix) * softmax(logits / temperature) + mix / labels. A model trained with pretrained
// word vectors adds a dense block: the text's normalised weighted mean of its tokens' vectors
// times a weight matrix (DenseBlock). The ONNX graph (onnx_export.ts)
// computes exactly this function; this file is the reference for it.

import type { EvaluationReport } from "./metrics.ts";
import { CONTINUATION_PREFIX, UNK_ID, wordPieceIds } from "./tokenizer.ts";
import { articleVector } from "./word_vectors.ts";

/**
 * Losses the SGD trainer can minimise (sgd.ts): softmax cross-entropy or one-vs-rest squared
 * hinge (a LinearSVC's).
 */
export type Loss = "softmax" | "squaredHinge";

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
  /** Character n-grams of `<word>` from this length... (sub-word features; 0 weight = none) */
  subwordMinN: number;
  /** ...to this length. */
  subwordMaxN: number;
  /** Hash buckets for the character n-grams (folded into token rows, not exported). */
  subwordBuckets: number;
  /** Multiplier on the g of character n-gram features; 0 disables sub-word features. */
  subwordWeight: number;
  /** WordPiece pieces (for unseen words) must occur in at least this many vocabulary words. */
  pieceMinWords: number;
  /** Longest WordPiece piece, in characters. */
  pieceMaxLength: number;
  /** At most this many cross-fitting folds for calibration (see `TrainOptions`). */
  calibrationFolds: number;
  /** Class weights (n / (k * n_c))^power in the loss (class_weights.ts); 0: unweighted. */
  classWeightPower: number;
  /** Prior correction tau: -tau * log(prior) is added to the bias (class_weights.ts). */
  logitAdjustment: number;
  /**
   * Length of the dense block (the text's normalised weighted mean of pretrained word
   * vectors) beside the normalised sparse block; 0 (or no vectors given) leaves it out.
   */
  vectorScale: number;
  /** Each token's weight in the mean: SIF a / (a + p(w)) or IDF (word_vectors.ts). */
  vectorWeighting: "sif" | "idf";
  /**
   * The vocabulary gains the words among this many most frequent ones with a vector that no
   * training row holds (the rest of the model's vectors are its training words').
   */
  vectorWords: number;
  /** The loss SGD minimises (sgd.ts; absent in models from before: softmax). */
  loss?: Loss;
  /**
   * Times the headline opens the texts the model was trained on (article_text.ts); served
   * articles are given to it in the same shape. Absent in models from before: once.
   */
  headlineRepeats?: number;
}

/** The hyperparameters the search may change. */
export const SEARCHED = [
  "classWeightPower",
  "lambda",
  "idfPower",
  "subwordWeight",
  "epochs",
  "logitAdjustment",
  "vectorScale",
  "vectorWeighting",
] as const;
export type SearchedKey = typeof SEARCHED[number];

/** One candidate the search scored. */
export interface SearchTrial {
  hyperparameters: Pick<Hyperparameters, SearchedKey>;
  /** Held-out accuracy and macro-F1 (uncalibrated argmax, after the prior correction). */
  accuracy: number;
  macroF1: number;
}

/** What the search tried and chose (search.ts; kept in the model's validation report). */
export interface SearchReport {
  /** The mean of macro-F1 and accuracy (`macroF1`: macro-F1, ties by accuracy, in older models). */
  metric: "macroF1+accuracy" | "macroF1";
  /**
   * Held-out rows each trial was scored on (the first fold's; absent in reports from before
   * the search scored one fold). The chosen trial's prior correction is then chosen again on
   * all out-of-fold rows: the model's `logitAdjustment` is that one.
   */
  rows?: number;
  /** The prior correction chosen for the winner on all out-of-fold rows (the model's). */
  tau?: number;
  trials: SearchTrial[];
  /** Index of the chosen trial. */
  chosen: number;
}

/**
 * What training measured on held-out predictions: out-of-fold predictions of k-fold
 * cross-fitting with the final hyperparameters, so every row is predicted by a model that did
 * not see it.
 */
export interface ValidationReport {
  /** Rows predicted out of fold. */
  size: number;
  /** Report for calibrated out-of-fold predictions. */
  report: EvaluationReport;
  /** Expected calibration error before temperature scaling. */
  eceBefore: number;
  /** Expected calibration error after temperature scaling. */
  eceAfter: number;
  /** Mean negative log-likelihood before / after temperature scaling. */
  nllBefore: number;
  nllAfter: number;
  /** Cross-fitting folds the predictions came from. */
  folds?: number;
  /**
   * Report of each fold's held-out rows alone (calibrated), in fold order: how much the
   * score moves from one part of the data to another.
   */
  perFold?: EvaluationReport[];
  /** The hyperparameter search's candidates and the one chosen, when there was a search. */
  search?: SearchReport;
  /** Noise-aware training: how the likely mislabelled rows were treated, and how many. */
  clean?: { mode: string; rows: number };
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
  /** Softmax temperature fitted on held-out predictions (logits are divided by it). */
  temperature: number;
  /** Share of the uniform distribution mixed into the calibrated probabilities (default 0). */
  uniformMix?: number;
  hyperparameters: Hyperparameters;
  /** The dense block of pretrained word vectors (absent: the model has none). */
  dense?: DenseBlock;
  /** Absent when training used no validation split. */
  validation?: ValidationReport;
}

/**
 * A text's dense vector is {@link articleVector} of its token ids over `vectors` and
 * `tokenWeights`; its logits gain `vector · weights` (the block's scale folded in).
 */
export interface DenseBlock {
  dim: number;
  /** [vocabulary.length * dim] pretrained vector of each token (zeros without one). */
  vectors: Float32Array;
  /** [vocabulary.length] weight of each token in the mean (0 without a vector). */
  tokenWeights: Float32Array;
  /** [dim * labels.length] */
  weights: Float32Array;
  /** Where the vectors came from (word_vectors.ts). */
  source: { name: string; version: string; sha256: string };
}

/** The text's dense vector under `model` (undefined when the model has no dense block). */
export function denseVector(
  model: TextClassifierModel,
  ids: ArrayLike<number>,
): Float32Array | undefined {
  const d = model.dense;
  return d && articleVector(ids, { vectors: d.vectors, weights: d.tokenWeights, dim: d.dim });
}

/** Guards the division by the norm for empty texts (then the logits are the bias). */
export const NORM_EPSILON = 1e-6;

const vocabIndex = new WeakMap<
  TextClassifierModel,
  { index: Map<string, number>; wordPiece: boolean }
>();

/**
 * Maps words (as produced by `createWordSplitter()`) to token ids as the served tokenizer
 * does (WordPiece pieces for unknown words when the vocabulary has them), truncated to
 * `maxLength` tokens.
 */
export function encodeWords(model: TextClassifierModel, words: readonly string[]): Int32Array {
  let entry = vocabIndex.get(model);
  if (!entry) {
    entry = {
      index: new Map(model.vocabulary.map((w, i) => [w, i])),
      wordPiece: model.vocabulary.some((w) =>
        w.length > CONTINUATION_PREFIX.length && w.startsWith(CONTINUATION_PREFIX)
      ),
    };
    vocabIndex.set(model, entry);
  }
  const { index, wordPiece } = entry;
  const max = model.hyperparameters.maxLength;
  const ids: number[] = [];
  for (let i = 0; i < words.length && ids.length < max; i++) {
    if (wordPiece) wordPieceIds(words[i], index, ids);
    else ids.push(index.get(words[i]) ?? UNK_ID);
  }
  return Int32Array.from(ids.length > max ? ids.slice(0, max) : ids);
}

/** Bucket of the bigram (left, right); the graph computes the same in int64. */
export function bigramBucket(left: number, right: number, h: Hyperparameters): number {
  // left * multiplier stays below 2^53 for any realistic vocabulary, so doubles are exact.
  return (left * h.hashMultiplier + right) % h.buckets;
}

/**
 * Logits for one text given as token ids (unpadded: padding is the graph's attention mask).
 * With `calibrated` (default) they are the exported graph's output: the log of the calibrated
 * probabilities (temperature, then the uniform mix), so `softmax()` of them gives those
 * probabilities; otherwise the raw linear scores.
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
  for (let c = 0; c < k; c++) sum[c] = sum[c] * scale + model.bias[c];
  const dense = denseVector(model, ids);
  if (dense) {
    const w = model.dense!.weights;
    for (let j = 0; j < dense.length; j++) {
      if (dense[j] === 0) continue;
      for (let c = 0; c < k; c++) sum[c] += dense[j] * w[j * k + c];
    }
  }
  if (options.calibrated === false) return sum;
  return calibratedLogits(sum, model.temperature, model.uniformMix ?? 0);
}

/**
 * `log((1 - mix) * softmax(z / temperature) + mix / k)`, calibrated log-probabilities; with
 * no mix simply `z / temperature` (the same softmax).
 */
export function calibratedLogits(
  z: ArrayLike<number>,
  temperature: number,
  mix: number,
): Float64Array {
  const scaled = Float64Array.from(z, (x) => x / temperature);
  if (mix === 0) return scaled;
  const p = softmax(scaled);
  return p.map((q) => Math.log((1 - mix) * q + mix / p.length));
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
