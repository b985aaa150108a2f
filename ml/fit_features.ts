// The features one fit of fit.ts trains on: the vocabulary of its rows (words, WordPiece
// pieces, words with pretrained vectors), each row's feature ids (tokens, bigram buckets,
// character n-gram buckets), and what a trainer worker keeps from fit to fit to build them
// faster (FeatureCache).

import { bigramBucket, type Hyperparameters, type TextClassifierModel } from "./model.ts";
import { PieceCounter, subwordBuckets } from "./subword.ts";
import { vectorIndex, type WordVectorTable } from "./word_vectors.ts";
import {
  CONTINUATION_PREFIX,
  MAX_WORD_CHARS,
  PAD_TOKEN,
  UNK_TOKEN,
  wordPieceIds,
} from "./tokenizer.ts";

export interface Tokenized {
  words: string[][];
  labels: Int32Array;
}

/** Maps words to the ids the served tokenizer gives for `model`'s vocabulary. */
export function tokenEncoder(model: TextClassifierModel): (words: string[]) => Int32Array {
  const index = new Map(model.vocabulary.map((w, i) => [w, i]));
  const max = model.hyperparameters.maxLength;
  return (words) => {
    const ids: number[] = [];
    for (let i = 0; i < words.length && ids.length < max; i++) wordPieceIds(words[i], index, ids);
    return Int32Array.from(ids.length > max ? ids.slice(0, max) : ids);
  };
}

/** What fits of the same sub-word settings can share: each token's n-grams and pieces. */
export interface TokenMemo {
  subwords: SubwordCache;
  pieces: PieceCounter;
}

export function tokenMemo(h: Hyperparameters): TokenMemo {
  return { subwords: new SubwordCache(h), pieces: new PieceCounter(h.pieceMaxLength) };
}

/** Hashed character n-grams per token, computed once per token. */
export class SubwordCache {
  readonly #cache = new Map<string, Int32Array>();
  readonly #empty = new Int32Array(0);
  constructor(readonly h: Hyperparameters) {}
  get(token: string): Int32Array {
    if (this.h.subwordWeight <= 0 || token === PAD_TOKEN || token === UNK_TOKEN) {
      return this.#empty;
    }
    let ids = this.#cache.get(token);
    if (!ids) {
      const kind = token.length > CONTINUATION_PREFIX.length &&
          token.startsWith(CONTINUATION_PREFIX)
        ? "continuation"
        : "word";
      ids = subwordBuckets(token, {
        minN: this.h.subwordMinN,
        maxN: this.h.subwordMaxN,
        buckets: this.h.subwordBuckets,
      }, kind);
      this.#cache.set(token, ids);
    }
    return ids;
  }
  /** N-grams of an initial piece (no end-of-word marker); not cached, pieces are few. */
  initial(piece: string): Int32Array {
    return subwordBuckets(piece, {
      minN: this.h.subwordMinN,
      maxN: this.h.subwordMaxN,
      buckets: this.h.subwordBuckets,
    }, "initial");
  }
}

/** The vocabulary and feature ids of one set of training rows (what g and SGD start from). */
export interface RowFeatures {
  vocabulary: string[];
  subOffset: number;
  nFeatures: number;
  rowIds: Int32Array[];
  featureDf: Float64Array;
  /** Each token's character n-gram buckets (by token id; empty without sub-word features). */
  tokenSubwords: (id: number) => Int32Array;
  /** Row of each token's pretrained vector in the table (-1: none); absent without vectors. */
  vectorRow?: Int32Array;
  /** Occurrences of each token in the rows (for SIF weights). */
  tokenCounts: Float64Array;
}

/**
 * Tokenized features of recent fits, by job key and vocabulary settings: a hyperparameter
 * search refits the same folds with a different regularisation, epochs or class weights, and
 * building the vocabulary and feature ids is about a fifth of a fit. Holds a few entries
 * (each some tens of MB for 10k rows), oldest dropped first.
 */
export class FeatureCache {
  readonly #entries = new Map<string, RowFeatures>();
  #tokens?: { key: string; memo: TokenMemo };
  constructor(readonly capacity = 4) {}
  /** What fits with `h`'s sub-word settings learn of tokens, kept from fit to fit. */
  tokens(h: Hyperparameters): TokenMemo {
    const key = [
      h.subwordWeight > 0,
      h.subwordMinN,
      h.subwordMaxN,
      h.subwordBuckets,
      h.pieceMaxLength,
    ]
      .join(",");
    if (this.#tokens?.key !== key) this.#tokens = { key, memo: tokenMemo(h) };
    return this.#tokens.memo;
  }
  get(key: string, build: () => RowFeatures): RowFeatures {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = build();
      this.#entries.set(key, entry);
      if (this.#entries.size > this.capacity) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
    }
    return entry;
  }
}

/** The hyperparameters the vocabulary and feature ids depend on (not g, not SGD's). */
export function vocabularyKey(h: Hyperparameters): string {
  return [
    h.minCount,
    h.buckets,
    h.hashMultiplier,
    h.maxLength,
    h.subwordWeight > 0,
    h.subwordMinN,
    h.subwordMaxN,
    h.subwordBuckets,
    h.pieceMinWords,
    h.pieceMaxLength,
    h.vectorScale > 0 ? h.vectorWords : -1,
  ].join(",");
}

/** Vocabulary (words, then WordPiece pieces) and the feature ids of each of `rows`. */
export function rowFeatures(
  data: Tokenized,
  rows: readonly number[],
  h: Hyperparameters,
  { subwords, pieces: pieceCounter }: TokenMemo,
  vectors?: WordVectorTable,
): RowFeatures {
  const useSubwords = h.subwordWeight > 0;
  // Vocabulary: words by document frequency, ties broken by the word, so ids are stable;
  // then, with sub-word features, the WordPiece pieces for unseen words.
  const df = new Map<string, number>();
  for (const r of rows) for (const w of new Set(data.words[r])) df.set(w, (df.get(w) ?? 0) + 1);
  const kept = [...df].filter(([w, c]) =>
    c >= h.minCount && w !== PAD_TOKEN && w !== UNK_TOKEN &&
    !(useSubwords && w.length > MAX_WORD_CHARS && [...w].length > MAX_WORD_CHARS)
  ).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words = kept.map(([w]) => w);
  // With vectors, the most frequent words that have one join the vocabulary though no
  // training row holds them: a text that meets them later gets their meaning.
  const vectorIndexOf = vectors ? vectorIndex(vectors) : undefined;
  if (vectors) {
    const known = new Set(words);
    let added = 0;
    for (const w of vectors.words) {
      if (added >= h.vectorWords) break;
      if (
        known.has(w) || w === PAD_TOKEN || w === UNK_TOKEN ||
        (useSubwords && [...w].length > MAX_WORD_CHARS)
      ) continue;
      words.push(w);
      added++;
    }
  }
  const pieces = useSubwords ? pieceCounter.inventory(words, h.pieceMinWords) : [];
  const vocabulary = [PAD_TOKEN, UNK_TOKEN, ...words, ...pieces];
  const v = vocabulary.length;
  const firstPiece = 2 + words.length;
  // Looked up once per token id, not per occurrence (most of building the rows' ids).
  const ngrams = new Array<Int32Array | undefined>(v);
  const tokenSubwords = (id: number) =>
    ngrams[id] ??= id >= firstPiece && !vocabulary[id].startsWith(CONTINUATION_PREFIX)
      ? subwords.initial(vocabulary[id])
      : subwords.get(vocabulary[id]);
  const subOffset = v + h.buckets;
  const nFeatures = subOffset + (useSubwords ? h.subwordBuckets : 0);
  const encode = tokenEncoder({ vocabulary, hyperparameters: h } as TextClassifierModel);
  const rowIds: Int32Array[] = rows.map((r) => {
    const t = encode(data.words[r]);
    const f: number[] = [];
    for (let i = 0; i < t.length; i++) {
      f.push(t[i]);
      if (useSubwords) { for (const s of tokenSubwords(t[i])) f.push(subOffset + s); }
      if (i + 1 < t.length) f.push(v + bigramBucket(t[i], t[i + 1], h));
    }
    return Int32Array.from(f);
  });
  const featureDf = new Float64Array(nFeatures);
  const tokenCounts = new Float64Array(v);
  const seen = new Int32Array(nFeatures).fill(-1);
  rowIds.forEach((f, r) => {
    for (const id of f) {
      if (id < v) tokenCounts[id]++;
      if (seen[id] !== r) (seen[id] = r), featureDf[id]++;
    }
  });
  const vectorRow = vectorIndexOf &&
    Int32Array.from(vocabulary, (w, id) => id < firstPiece ? vectorIndexOf.get(w) ?? -1 : -1);
  return {
    vocabulary,
    subOffset,
    nFeatures,
    rowIds,
    featureDf,
    tokenSubwords,
    tokenCounts,
    ...(vectorRow ? { vectorRow } : {}),
  };
}
