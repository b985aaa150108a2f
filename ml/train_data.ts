// What every training run starts from: the examples, the default hyperparameters, and the
// tokenized rows with their label indices (shared by train.ts and out_of_fold.ts).

import { HEADLINE_REPEATS } from "./article_text.ts";
import type { Tokenized } from "./fit_features.ts";
import type { Hyperparameters, Loss } from "./model.ts";
import { normalizeNewsText } from "./normalize.ts";
import { createWordSplitter } from "./word_splitter.ts";
import type { VectorProvider, WordVectorTable } from "./word_vectors.ts";

/** One labelled training text. */
export interface Example {
  text: string;
  label: string;
  /**
   * The article the text was made of (`articleText`), when it was one: a model whose texts
   * repeat the headline another number of times is scored on its own text of it.
   */
  article?: { title: string; body: string };
}

/** Progress of a training stage (`tokenize`, `train`, `calibrate`, `refit`). */
export interface TrainProgress {
  stage: string;
  done: number;
  total: number;
}

/**
 * The initial SGD step of each loss when none is given. The squared hinge's gradient grows
 * with the margin it misses, so it wants a smaller step: on the HuffPost training splits'
 * out-of-fold predictions 0.05 beat 0.03, 0.08 and 0.1; softmax keeps its 0.5.
 */
export const LEARNING_RATES: Readonly<Record<Loss, number>> = { softmax: 0.5, squaredHinge: 0.05 };

/**
 * Defaults tuned by 5-fold cross-validation on AG News train_10k (bench/classify.ts):
 * IDF² to IDF³ weighting beats plain TF-IDF by about 0.7 points there, character 3-4-grams
 * at 0.3 of the word weight add about 0.3, and 8 epochs do as well as 15. The squared hinge
 * (sgd.ts) rather than softmax: AG News 5-fold 0.9013 against 0.8999, HuffPost see
 * bench/taxonomy.ts.
 */
export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  minCount: 1,
  buckets: 1 << 20,
  hashMultiplier: 1_000_003,
  idfPower: 2.5,
  lambda: 1e-6,
  epochs: 8,
  learningRate: LEARNING_RATES.squaredHinge,
  maxLength: 512,
  refit: true,
  subwordMinN: 3,
  subwordMaxN: 4,
  subwordBuckets: 1 << 20,
  subwordWeight: 0.3,
  pieceMinWords: 3,
  pieceMaxLength: 5,
  calibrationFolds: 3,
  classWeightPower: 0,
  logitAdjustment: 0,
  vectorScale: 0.15,
  vectorWeighting: "idf",
  vectorWords: 30_000,
  loss: "squaredHinge",
  headlineRepeats: HEADLINE_REPEATS,
};

/**
 * Hash buckets (bigrams, and character n-grams) for k labels when not given: 2^20 up to 4
 * labels, fewer beyond, so the weight tables stay near 4M entries. The weights of 29 labels
 * over 2^20 + 2^20 buckets took 460 MB per fit and most of its time to allocate and fold, and
 * made a 65 MB model; at 2^17 the HuffPost sample lost nothing measurable.
 */
export function defaultBuckets(k: number): number {
  return Math.max(1 << 14, Math.min(1 << 20, 2 ** Math.floor(Math.log2((1 << 22) / k))));
}

/** Hyperparameters, label order and tokenized rows of one training run. */
export function prepareTraining(
  examples: readonly Example[],
  options: Partial<Hyperparameters> & {
    labels?: string[];
    onProgress?: (p: TrainProgress) => void;
  },
): { h: Hyperparameters; labels: string[]; data: Tokenized } {
  const h: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS };
  for (const key of Object.keys(h) as (keyof Hyperparameters)[]) {
    if (options[key] !== undefined) (h as unknown as Record<string, unknown>)[key] = options[key];
  }
  if (options.learningRate === undefined) h.learningRate = LEARNING_RATES[h.loss ?? "softmax"];
  const labels = options.labels ?? [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) throw new Error("training needs at least two distinct labels");
  if (options.buckets === undefined) h.buckets = defaultBuckets(labels.length);
  if (options.subwordBuckets === undefined) h.subwordBuckets = defaultBuckets(labels.length);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const split = createWordSplitter();
  const data: Tokenized = { words: [], labels: new Int32Array(examples.length) };
  for (let i = 0; i < examples.length; i++) {
    const y = labelIndex.get(examples[i].label);
    if (y === undefined) throw new Error(`label "${examples[i].label}" is not in labels`);
    data.labels[i] = y;
    data.words.push(split(normalizeNewsText(examples[i].text)).slice(0, h.maxLength));
    if (i % 1000 === 999) {
      options.onProgress?.({ stage: "tokenize", done: i + 1, total: examples.length });
    }
  }
  options.onProgress?.({ stage: "tokenize", done: examples.length, total: examples.length });
  return { h, labels, data };
}

/**
 * The run's vectors from `options.vectors` (read once, for the rows' words), or none: then
 * the hyperparameters' `vectorScale` becomes 0, so no fit builds a dense block.
 */
export async function withVectors(
  h: Hyperparameters,
  data: Tokenized,
  options: { vectors?: VectorProvider; onProgress?: (p: TrainProgress) => void },
): Promise<{ h: Hyperparameters; vectors?: WordVectorTable }> {
  if (!options.vectors || h.vectorScale <= 0) return { h: { ...h, vectorScale: 0 } };
  options.onProgress?.({ stage: "vectors", done: 0, total: 1 });
  const vectors = await options.vectors({ top: h.vectorWords, wanted: new Set(data.words.flat()) });
  options.onProgress?.({ stage: "vectors", done: 1, total: 1 });
  return { h, vectors };
}
