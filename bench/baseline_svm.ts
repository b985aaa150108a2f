// A plain strong text classification baseline for the benchmarks, as scikit-learn users build
// it: TF-IDF over word 1-2-grams and character 2-5-grams within word boundaries (sublinear tf,
// smooth idf, each block L2-normalised, then stacked, as TfidfVectorizer + FeatureUnion), and
// a one-vs-rest linear SVM with squared hinge loss fitted by liblinear's dual coordinate
// descent (Hsieh et al., ICML 2008: what LinearSVC runs), optionally class_weight="balanced"
// (each class's positives get C * n / (k * n_c), as liblinear's weighted C). The GloVe variant
// stacks a third block: the SIF-weighted mean of the words' pretrained vectors.
// Bench-only code: written out because no npm package trains a sparse linear SVM.

import { normalizeNewsText } from "../ml/normalize.ts";
import { mulberry32 } from "../ml/prng.ts";
import { normalised, SIF_A, vectorIndex, type WordVectorTable } from "../ml/word_vectors.ts";

/** Sparse rows (CSR). */
export interface SparseRows {
  offsets: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  features: number;
}

const wordsOf = (text: string) =>
  normalizeNewsText(text).toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];

function wordGrams(text: string): string[] {
  const w = wordsOf(text);
  const out = [...w];
  for (let i = 0; i + 1 < w.length; i++) out.push(`${w[i]} ${w[i + 1]}`);
  return out;
}

function charGrams(text: string): string[] {
  const out: string[] = [];
  for (const word of normalizeNewsText(text).toLowerCase().split(/\s+/)) {
    if (!word) continue;
    const padded = ` ${word} `;
    for (let n = 2; n <= 5; n++) {
      for (let i = 0; i + n <= padded.length; i++) out.push(padded.slice(i, i + n));
      if (n >= padded.length) break;
    }
  }
  return out;
}

/** One TF-IDF block fitted on `train`, applied to both sets; features offset by `offset`. */
function tfidfBlock(
  train: string[][],
  test: string[][],
  offset: number,
): { train: Map<number, number>[]; test: Map<number, number>[]; size: number } {
  const index = new Map<string, number>();
  const df: number[] = [];
  for (const doc of train) {
    for (const g of new Set(doc)) {
      let id = index.get(g);
      if (id === undefined) index.set(g, id = df.length), df.push(0);
      df[id]++;
    }
  }
  const idf = df.map((d) => Math.log((1 + train.length) / (1 + d)) + 1);
  const vectorize = (doc: string[]) => {
    const tf = new Map<number, number>();
    for (const g of doc) {
      const id = index.get(g);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const out = new Map<number, number>();
    let norm = 0;
    for (const [id, c] of tf) {
      const v = (1 + Math.log(c)) * idf[id];
      out.set(offset + id, v);
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [id, v] of out) out.set(id, v / norm);
    return out;
  };
  return { train: train.map(vectorize), test: test.map(vectorize), size: df.length };
}

function toRows(maps: Map<number, number>[][], features: number): SparseRows {
  const n = maps[0].length;
  let nnz = 0;
  for (const block of maps) for (const m of block) nnz += m.size;
  const offsets = new Int32Array(n + 1), ids = new Int32Array(nnz), values = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (const block of maps) {
      for (const [id, v] of [...block[i]].sort((a, b) => a[0] - b[0])) {
        (ids[at] = id), (values[at++] = v);
      }
    }
    offsets[i + 1] = at;
  }
  return { offsets, ids, values, features };
}

/**
 * The SIF-weighted mean of the words' pretrained vectors (a / (a + p(w)), p from the train
 * texts' word counts), L2-normalised: the dense block of the GloVe baseline.
 */
function vectorBlock(
  train: string[][],
  test: string[][],
  table: WordVectorTable,
  offset: number,
): { train: Map<number, number>[]; test: Map<number, number>[]; size: number } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const doc of train) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1), total++;
  const index = vectorIndex(table);
  const dim = table.dim;
  const vectorize = (doc: string[]) => {
    const sum = new Float64Array(dim);
    for (const w of doc) {
      const row = index.get(w);
      if (row === undefined) continue;
      const a = SIF_A / (SIF_A + (counts.get(w) ?? 0) / total);
      for (let j = 0; j < dim; j++) sum[j] += a * table.data[row * dim + j];
    }
    const unit = normalised(sum);
    const out = new Map<number, number>();
    unit.forEach((x, j) => x !== 0 && out.set(offset + j, x));
    return out;
  };
  return { train: train.map(vectorize), test: test.map(vectorize), size: dim };
}

/**
 * TF-IDF word 1-2-grams + character 2-5-grams of the train texts, applied to both sets; with
 * `vectors`, a third block: the SIF-weighted mean of the words' vectors (see vectorBlock).
 */
export function tfidfFeatures(
  train: string[],
  test: string[],
  options: { vectors?: WordVectorTable } = {},
): { train: SparseRows; test: SparseRows } {
  const words = tfidfBlock(train.map(wordGrams), test.map(wordGrams), 0);
  const chars = tfidfBlock(train.map(charGrams), test.map(charGrams), words.size);
  const blocks = [words, chars];
  if (options.vectors) {
    blocks.push(vectorBlock(
      train.map(wordsOf),
      test.map(wordsOf),
      options.vectors,
      words.size + chars.size,
    ));
  }
  const features = blocks.reduce((n, b) => n + b.size, 0);
  return {
    train: toRows(blocks.map((b) => b.train), features),
    test: toRows(blocks.map((b) => b.test), features),
  };
}

/** Options of {@link trainLinearSvc}. */
export interface SvcOptions {
  C?: number;
  balanced?: boolean;
  /** Stop when the projected gradient's spread falls below this (liblinear's eps, 0.1). */
  eps?: number;
  maxIterations?: number;
  seed?: number;
}

/**
 * One-vs-rest L2-regularised squared-hinge SVMs with a bias feature (intercept_scaling 1).
 * Returns the weights, class-major: `w[c * (features + 1) + j]`, the bias last.
 */
export function trainLinearSvc(x: SparseRows, y: Int32Array, k: number, options: SvcOptions = {}) {
  const { C = 1, balanced = false, eps = 0.1, maxIterations = 1000, seed = 1 } = options;
  const n = y.length, d = x.features + 1;
  const counts = new Float64Array(k);
  for (const c of y) counts[c]++;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1; // the bias feature
    for (let q = x.offsets[i]; q < x.offsets[i + 1]; q++) s += x.values[q] * x.values[q];
    sq[i] = s;
  }
  const w = new Float64Array(k * d);
  const random = mulberry32(seed);
  for (let c = 0; c < k; c++) {
    const cPos = balanced ? C * n / (k * counts[c]) : C;
    const wc = w.subarray(c * d, (c + 1) * d);
    const alpha = new Float64Array(n);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let iter = 0; iter < maxIterations; iter++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let pgMax = -Infinity, pgMin = Infinity;
      for (const i of order) {
        const yi = y[i] === c ? 1 : -1;
        const diag = 0.5 / (yi > 0 ? cPos : C);
        let dot = wc[d - 1];
        for (let q = x.offsets[i]; q < x.offsets[i + 1]; q++) dot += wc[x.ids[q]] * x.values[q];
        const g = yi * dot - 1 + diag * alpha[i];
        const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
        pgMax = Math.max(pgMax, pg);
        pgMin = Math.min(pgMin, pg);
        if (Math.abs(pg) > 1e-12) {
          const old = alpha[i];
          alpha[i] = Math.max(old - g / (sq[i] + diag), 0);
          const step = (alpha[i] - old) * yi;
          for (let q = x.offsets[i]; q < x.offsets[i + 1]; q++) wc[x.ids[q]] += step * x.values[q];
          wc[d - 1] += step;
        }
      }
      if (pgMax - pgMin < eps) break;
    }
  }
  return { w, k, d };
}

/** The class of each row with the highest decision value. */
export function predictLinearSvc(
  model: { w: Float64Array; k: number; d: number },
  x: SparseRows,
): Int32Array {
  const { w, k, d } = model;
  const n = x.offsets.length - 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = w[c * d + d - 1];
      for (let q = x.offsets[i]; q < x.offsets[i + 1]; q++) {
        if (x.ids[q] < d - 1) s += w[c * d + x.ids[q]] * x.values[q];
      }
      if (s > best) (best = s), (out[i] = c);
    }
  }
  return out;
}
