// Fits one model of train.ts: vocabulary, feature weights and the linear layer, by SGD.
// Apart from train.ts, which splits words with transformers.js, so that the trainer's worker
// threads (train_worker.ts) can load it: transformers.js takes its browser backend inside a
// worker, and fails there.

import { type Hyperparameters, modelLogits, type TextClassifierModel } from "./model.ts";
import { mulberry32 } from "./prng.ts";
import { sgd, toCsr } from "./sgd.ts";
import {
  type FeatureCache,
  type RowFeatures,
  rowFeatures,
  tokenEncoder,
  type Tokenized,
  tokenMemo,
  vocabularyKey,
} from "./fit_features.ts";
import {
  articleVector,
  tokenWeights as tokenWeightsOf,
  type WordVectorTable,
} from "./word_vectors.ts";

/** One fit of cross-fitting: train on `rows`, then score the `held` rows. */
export interface FitJob {
  rows: number[];
  held: number[];
  seed: number;
  /** Hyperparameters of this fit that differ from the run's (a search trial's). */
  h?: Partial<Hyperparameters>;
  /** Weight of each data row's loss, indexed like the data (default 1 each). */
  weights?: Float32Array;
  /** Label of each data row for this fit, indexed like the data (default the data's labels). */
  targets?: Int32Array;
  /**
   * Names this job's `rows`: fits with the same key and the same vocabulary settings share
   * their tokenized features (a search refits the same folds many times).
   */
  key?: string;
  /**
   * Whether the fitted model comes back, not only the held rows' logits (default: when no
   * rows are held out). A model is tens of MB to copy between threads, and cross-fitting
   * only needs the logits of its folds: copying their models was a tenth of the training.
   */
  wantModel?: boolean;
}

/** What a {@link FitJob} gives back. */
export interface FitResult {
  /** The fitted model, when the job wants it. */
  model?: TextClassifierModel;
  /** Uncalibrated logits of the held rows, in their order. */
  heldLogits: Float64Array[];
}

/** What every fit of one training run shares: the tokenized rows, the labels, the hyperparameters. */
export interface FitSetup {
  data: Tokenized;
  labels: string[];
  h: Hyperparameters;
  /** Pretrained word vectors for the dense block (none: the models have no dense block). */
  vectors?: WordVectorTable;
  /** Row sets whose features a worker keeps (default: {@link FeatureCache}'s). */
  cachedFeatures?: number;
}

/** Runs one fit (on this thread; train_worker.ts runs it on another). */
export async function runFit(
  setup: FitSetup,
  job: FitJob,
  cache?: FeatureCache,
): Promise<FitResult> {
  const { data, labels } = setup;
  const h = { ...setup.h, ...job.h };
  const model = await fit(data, {
    rows: job.rows,
    labels,
    h,
    vectors: setup.vectors,
    random: mulberry32(job.seed),
    rowWeights: job.weights,
    targets: job.targets,
    cache: job.key && cache ? { store: cache, key: job.key } : undefined,
  });
  const encode = tokenEncoder(model);
  const heldLogits = job.held.map((r) =>
    modelLogits(model, encode(data.words[r]), { calibrated: false })
  );
  return (job.wantModel ?? job.held.length === 0) ? { model, heldLogits } : { heldLogits };
}

/** What {@link fit} trains on and how. */
export interface FitOptions {
  /** Indices into the tokenized data of the rows to train on. */
  rows: number[];
  /** Label order of the model; `data.labels` index it. */
  labels: string[];
  h: Hyperparameters;
  /** Pretrained word vectors: with `h.vectorScale` > 0 the model gains a dense block. */
  vectors?: WordVectorTable;
  /** Drives the SGD order. */
  random: () => number;
  /** Weight of each data row's loss, indexed like the data (default 1 each). */
  rowWeights?: Float32Array;
  /** Label of each data row, indexed like the data (default `data.labels`). */
  targets?: Int32Array;
  /** Where to keep and find the tokenized features of `rows` under `key`. */
  cache?: { store: FeatureCache; key: string };
  /** Called after each epoch with the number done. */
  onEpoch?: (done: number) => void;
}

/**
 * Fits vocabulary, feature weights and the linear layer on `rows`. Feature ids: token id
 * (< v), v + bigram bucket, v + buckets + character n-gram bucket.
 */
export async function fit(data: Tokenized, options: FitOptions): Promise<TextClassifierModel> {
  const { rows, labels, h, random, rowWeights, cache, onEpoch = () => {} } = options;
  const targets = options.targets ?? data.labels;
  const vectors = h.vectorScale > 0 ? options.vectors : undefined;
  const tokens = cache?.store.tokens(h) ?? tokenMemo(h);
  const build = () => rowFeatures(data, rows, h, tokens, vectors);
  const features0 = cache ? cache.store.get(`${cache.key}|${vocabularyKey(h)}`, build) : build();
  const { vocabulary, subOffset, nFeatures, rowIds, featureDf, tokenSubwords } = features0;
  const k = labels.length;
  const v = vocabulary.length;
  const useSubwords = h.subwordWeight > 0;
  const g = new Float64Array(nFeatures);
  for (let id = 0; id < nFeatures; id++) {
    // A feature no training text has gets no weight and, as g = 0, no share of the norm either,
    // so texts full of unseen words are not pulled towards the bias: on bench/classify.ts this
    // left accuracy unchanged and held-out ECE at 0.013 instead of 0.017.
    if (featureDf[id] === 0) continue;
    g[id] = Math.pow(Math.log((1 + rows.length) / (1 + featureDf[id])) + 1, h.idfPower) *
      (id >= subOffset ? h.subwordWeight : 1);
  }
  g[0] = 0; // [PAD]
  const dense = vectors && features0.vectorRow
    ? denseInputs(vectors, features0, h, rows.length)
    : undefined;
  const features = toCsr(rowIds, g, dense && { dim: dense.dim, rows: dense.rows });
  const y = Int32Array.from(rows, (r) => targets[r]);
  // Float32: the weights of 29 labels over two million features are 230 MB instead of 460.
  const weights = new Float32Array((nFeatures + (dense?.dim ?? 0)) * k);
  const bias = new Float64Array(k);
  await sgd(features, y, {
    weights,
    bias,
    h,
    random,
    rowWeights: rowWeights && Float32Array.from(rows, (r) => rowWeights[r]),
    onEpoch,
  });

  // Fold each token's own feature and its character n-grams into its row.
  const unigramWeights = new Float32Array(v * k);
  const unigramNorm = new Float32Array(v);
  const row = new Float64Array(k);
  for (let id = 0; id < v; id++) {
    let norm = g[id] * g[id];
    for (let c = 0; c < k; c++) row[c] = g[id] * weights[id * k + c];
    if (useSubwords) {
      for (const s of tokenSubwords(id)) {
        const f = subOffset + s;
        norm += g[f] * g[f];
        for (let c = 0; c < k; c++) row[c] += g[f] * weights[f * k + c];
      }
    }
    unigramNorm[id] = norm;
    unigramWeights.set(row, id * k);
  }
  const bigramWeights = new Float32Array(h.buckets * k);
  const bigramNorm = new Float32Array(h.buckets);
  for (let b = 0; b < h.buckets; b++) {
    const f = v + b;
    bigramNorm[b] = g[f] * g[f];
    for (let c = 0; c < k; c++) bigramWeights[b * k + c] = g[f] * weights[f * k + c];
  }
  return {
    labels: [...labels],
    vocabulary,
    unigramWeights,
    unigramNorm,
    bigramWeights,
    bigramNorm,
    bias: Float32Array.from(bias),
    temperature: 1,
    hyperparameters: { ...h },
    ...(dense && vectors
      ? {
        dense: {
          dim: dense.dim,
          vectors: dense.vectors,
          tokenWeights: dense.tokenWeights,
          weights: weights.slice(nFeatures * k).map((w) => w * h.vectorScale),
          source: vectors.source,
        },
      }
      : {}),
  };
}

/**
 * The dense block's inputs: each token's vector and weight, and each row's normalised
 * weighted mean times the block's scale (the values SGD sees after the sparse features).
 */
function denseInputs(
  table: WordVectorTable,
  f: RowFeatures,
  h: Hyperparameters,
  rows: number,
): { dim: number; vectors: Float32Array; tokenWeights: Float32Array; rows: Float32Array[] } {
  const { dim } = table;
  const v = f.vocabulary.length;
  const row = f.vectorRow!;
  const vectors = new Float32Array(v * dim);
  for (let id = 0; id < v; id++) {
    if (row[id] >= 0) {
      vectors.set(table.data.subarray(row[id] * dim, (row[id] + 1) * dim), id * dim);
    }
  }
  const tokenWeights = tokenWeightsOf((id) => row[id] >= 0, {
    counts: f.tokenCounts,
    df: f.featureDf.subarray(0, v),
    rows,
  }, h.vectorWeighting);
  const block = { vectors, weights: tokenWeights, dim };
  const rowVectors = f.rowIds.map((ids) => {
    const x = articleVector(ids.filter((id) => id < v), block);
    for (let j = 0; j < dim; j++) x[j] *= h.vectorScale;
    return x;
  });
  return { dim, vectors, tokenWeights, rows: rowVectors };
}
