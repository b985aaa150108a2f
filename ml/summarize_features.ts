// ml/summarize_features.ts — per-sentence importance features for the extractive summarizer.
//
// Written by hand: no maintained npm package does graph-based extractive summarization
// (the "textrank"/"node-summary" packages are abandoned and English-naive); the math is a
// few dozen lines over sentence vectors that we need to control for speed (≤ 2 ms/article).

import { wordTokens } from "./sentences.ts";
import { STOPWORDS } from "./terms.ts";

/** Sparse term-weight vector of one sentence with its precomputed norm. */
export interface SentenceVector {
  weights: Map<string, number>;
  norm: number;
}

/** Importance features of each sentence, each scaled to [0, 1] within the article. */
export interface SentenceFeatures {
  /** Content-word vectors (TF-IDF over the article's sentences), for similarity and MMR. */
  vectors: SentenceVector[];
  /** Whitespace-separated word count of each sentence. */
  words: number[];
  /** TextRank/LexRank centrality: PageRank over the TF-IDF cosine similarity graph. */
  centrality: number[];
  /** Luhn-style salience: summed article frequency of the sentence's content words. */
  frequency: number[];
  /** Share of the title's content words that the sentence contains (0 without a title). */
  title: number[];
  /** Position prior: 1 for the first sentence, decaying with the sentence index. */
  position: number[];
}

/**
 * Content terms of a sentence: lower-cased alphanumeric tokens without stopwords and
 * one-character tokens, with a light plural fold ("profits" → "profit") so that the
 * similarity of two sentences does not hinge on inflection.
 */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const t of wordTokens(text)) {
    if (t.length < 2 || STOPWORDS.has(t)) continue;
    out.push(t.length > 3 && t.endsWith("s") && !t.endsWith("ss") ? t.slice(0, -1) : t);
  }
  return out;
}

/** Cosine similarity of two sentence vectors (0 when either is empty). */
export function cosine(a: SentenceVector, b: SentenceVector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, v] of small.weights) {
    const w = large.weights.get(k);
    if (w !== undefined) dot += v * w;
  }
  return dot / (a.norm * b.norm);
}

function scaleToMax(values: number[]): number[] {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max === 0 ? values.map(() => 0) : values.map((v) => v / max);
}

/** PageRank with uniform teleport over a weighted, symmetric similarity matrix. */
function pageRank(sim: Float64Array[], damping = 0.85, iterations = 40): number[] {
  const n = sim.length;
  const outSum = sim.map((row) => row.reduce((a, b) => a + b, 0));
  let rank = new Float64Array(n).fill(1 / n);
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(n).fill((1 - damping) / n);
    let dangling = 0;
    for (let j = 0; j < n; j++) {
      if (outSum[j] === 0) {
        dangling += rank[j];
        continue;
      }
      const share = (damping * rank[j]) / outSum[j];
      const row = sim[j];
      for (let i = 0; i < n; i++) if (row[i] !== 0) next[i] += share * row[i];
    }
    if (dangling > 0) { for (let i = 0; i < n; i++) next[i] += (damping * dangling) / n; }
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i] - rank[i]);
    rank = next;
    if (delta < 1e-6) break;
  }
  return [...rank];
}

/**
 * Computes the importance features of an article's sentences. `title` may be empty.
 */
export function sentenceFeatures(sentences: readonly string[], title = ""): SentenceFeatures {
  const n = sentences.length;
  const terms = sentences.map(contentTerms);
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  for (const ts of terms) {
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of new Set(ts)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const vectors: SentenceVector[] = terms.map((ts) => {
    const weights = new Map<string, number>();
    for (const t of ts) weights.set(t, (weights.get(t) ?? 0) + 1);
    let norm = 0;
    for (const [t, c] of weights) {
      // Sublinear TF × smoothed sentence-level IDF: terms that recur across sentences are the
      // article's topic, but a term in every sentence should not link everything.
      const w = (1 + Math.log(c)) * Math.log(1 + n / (df.get(t) ?? 1));
      weights.set(t, w);
      norm += w * w;
    }
    return { weights, norm: Math.sqrt(norm) };
  });

  const sim = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = cosine(vectors[i], vectors[j]);
      sim[i][j] = s;
      sim[j][i] = s;
    }
  }
  const centrality = scaleToMax(pageRank(sim));

  let maxTf = 0;
  for (const v of tf.values()) if (v > maxTf) maxTf = v;
  // Luhn's significance: words that recur in the article carry its topic; the sum favours
  // sentences dense in them (and, like the references, longer sentences).
  const frequency = scaleToMax(
    terms.map((ts) => ts.reduce((a, t) => a + ((tf.get(t) ?? 0) > 1 ? tf.get(t)! / maxTf : 0), 0)),
  );

  const titleTerms = new Set(contentTerms(title));
  const titleScore = terms.map((ts) => {
    if (titleTerms.size === 0) return 0;
    const set = new Set(ts);
    let hit = 0;
    for (const t of titleTerms) if (set.has(t)) hit++;
    return hit / titleTerms.size;
  });

  const position = sentences.map((_, i) => 1 / Math.sqrt(1 + i));
  const words = sentences.map((s) => s.trim().split(/\s+/).length);
  return { vectors, words, centrality, frequency, title: titleScore, position };
}
