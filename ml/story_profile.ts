// ml/story_profile.ts — what an article says and what a story is about, as weighted terms,
// and which story a new article joins: online event clustering.
//
// An article's features are its words (title words weighed more), the names and places it
// mentions (capitalised sequences) and its numbers and dates; each weighed by how rare it is
// among the articles seen so far (document frequency, kept by db/stories.ts). A story's
// profile is the centroid of its articles' features, capped to its strongest terms, with the
// centroid of their word vectors when ingestion passes one. A new article joins the most
// similar candidate story (cosine, blended with the vectors' cosine when both have one)
// within a time gap that grows with the story's life, or starts its own.
//
// Written by hand, like ml/minhash.ts: the features are stored in story profiles and read
// months later, so their rules must not change under us with a package's release.

import { normalizeNewsText } from "./normalize.ts";
import { STOPWORDS } from "./terms.ts";

/** A term's weight in an article or a story (before the rarity weight). */
export type TermWeights = Map<string, number>;

/** How online clustering decides; the defaults were tuned on the ECB+ train split only. */
export interface StoryParams {
  /** Weight of each title word occurrence against 1 for a body word. */
  titleWeight: number;
  /** Weight of a name or place (capitalised sequence) occurrence. */
  nameWeight: number;
  /** Weight of a number or date occurrence. */
  numberWeight: number;
  /** Characters of the body read (the lead and what follows say what happened). */
  bodyChars: number;
  /** Cosine at or above which an article joins a story of one article. */
  threshold: number;
  /**
   * How the threshold rises with a story's size: × (1 + sizeGrowth × ln(articles)), so a
   * large story's centroid, which grows generic, does not draw in every article of its kind.
   */
  sizeGrowth: number;
  /** Share of the vectors' cosine in the blended similarity, when both have a vector. */
  vectorShare: number;
  /**
   * How the threshold rises with the time between the article and the story's span:
   * × (1 + staleGrowth × distance / baseGapMs), so a story gone quiet takes back only an
   * article that is clearly its own, not one of the same kind.
   */
  staleGrowth: number;
  /** The time gap every story accepts, in ms. */
  baseGapMs: number;
  /** How much of a story's life (last − first seen) is added to the gap. */
  gapGrowth: number;
  /** The gap never exceeds this, in ms. */
  maxGapMs: number;
}

const DAY = 86_400_000;

export const DEFAULT_STORY_PARAMS: Readonly<StoryParams> = Object.freeze({
  titleWeight: 3,
  nameWeight: 2,
  numberWeight: 1,
  bodyChars: 4000,
  threshold: 0.1,
  sizeGrowth: 0.1,
  vectorShare: 0.3,
  staleGrowth: 1,
  baseGapMs: 7 * DAY,
  gapGrowth: 1,
  maxGapMs: 180 * DAY,
});

/** Distinct features an article keeps (its strongest): bounds every later step. */
export const MAX_ARTICLE_TERMS = 120;
/** Terms a story's profile keeps. */
export const MAX_PROFILE_TERMS = 150;
/** A story's strongest terms indexed for candidate lookup (`story_terms`). */
export const INDEXED_TERMS = 25;
/** An article's strongest terms (weight × rarity) whose postings are read to find candidates. */
export const QUERY_TERMS = 20;
/** Postings read per query term at most (the most recently active stories). */
export const POSTINGS_PER_TERM = 30;
/** Candidate stories whose profiles are compared in full at most. */
export const MAX_CANDIDATES = 15;
/** Characters of a title read. */
const TITLE_CHARS = 1000;

// Words: letters and digits with inner apostrophes or hyphens; linear on any input.
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
// A name: one or more capitalised words, joined by single spaces (Tara Reid, New York City).
const NAME = /\p{Lu}[\p{L}'’-]*(?: \p{Lu}[\p{L}'’-]*)*/gu;
// A number or date: digits with inner separators (7.2, 1,000, 2013-05-02).
const NUMBER = /\p{N}+(?:[.,:/-]\p{N}+)*/gu;
const MONTHS = new Set(
  "january february march april may june july august september october november december"
    .split(" "),
);
// Capitalised words that begin sentences or name nothing in particular.
const NOT_NAMES = new Set([
  ...STOPWORDS,
  ..."monday tuesday wednesday thursday friday saturday sunday".split(" "),
]);

/** A light, stable stemmer: plural and possessive endings folded ("rescuers" → "rescuer"). */
export function stem(word: string): string {
  let w = word.replace(/['’]s$/, "");
  if (w.length > 4 && w.endsWith("ies")) w = w.slice(0, -3) + "y";
  else if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  return w;
}

function addTo(map: TermWeights, term: string, weight: number): void {
  map.set(term, (map.get(term) ?? 0) + weight);
}

function wordsInto(map: TermWeights, text: string, weight: number): void {
  for (const m of text.toLowerCase().matchAll(WORD)) {
    const w = m[0];
    if (w.length < 3 || STOPWORDS.has(w) || /^\p{N}/u.test(w)) continue;
    addTo(map, stem(w), weight);
  }
}

function namesInto(map: TermWeights, text: string, weight: number): void {
  for (const m of text.matchAll(NAME)) {
    const parts = m[0].toLowerCase().split(" ").filter((p) => !NOT_NAMES.has(p));
    if (parts.length === 0 || parts.join("").length < 3) continue;
    if (parts.length === 1 && MONTHS.has(parts[0])) continue;
    addTo(map, "n:" + parts.map((p) => p.replace(/['’]s$/, "")).join(" "), weight);
  }
}

function numbersInto(map: TermWeights, text: string, weight: number): void {
  for (const m of text.matchAll(NUMBER)) {
    const n = m[0].replace(/,/g, "");
    // Single digits say little ("2 people"), and a long digit run is an id, not a fact.
    if (n.length < 2 || n.length > 12) continue;
    addTo(map, "#" + n, weight);
  }
}

/**
 * An article's raw features: words (title words `titleWeight` times), names and places
 * (`n:` prefix) and numbers and dates (`#` prefix), each weighed 1 + log of its weighted
 * count, its strongest `MAX_ARTICLE_TERMS` kept. Reads at most `bodyChars` of the body.
 */
export function articleFeatures(
  title: string,
  body: string,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): TermWeights {
  const t = normalizeNewsText(title.slice(0, TITLE_CHARS));
  const b = normalizeNewsText(body.slice(0, params.bodyChars));
  const raw: TermWeights = new Map();
  wordsInto(raw, t, params.titleWeight);
  wordsInto(raw, b, 1);
  namesInto(raw, t, params.nameWeight * params.titleWeight);
  namesInto(raw, b, params.nameWeight);
  numbersInto(raw, t, params.numberWeight * params.titleWeight);
  numbersInto(raw, b, params.numberWeight);
  const out: TermWeights = new Map();
  for (const [term, w] of raw) out.set(term, 1 + Math.log(w));
  return strongest(out, MAX_ARTICLE_TERMS);
}

/** The `n` heaviest terms of `weights` (ties by term, so the choice is stable). */
export function strongest(
  weights: TermWeights,
  n: number,
  rarity?: (term: string) => number,
): TermWeights {
  if (weights.size <= n) return weights;
  const score = (t: string, w: number) => rarity ? w * rarity(t) : w;
  const ranked = [...weights].sort((a, b) =>
    score(b[0], b[1]) - score(a[0], a[1]) || (a[0] < b[0] ? -1 : 1)
  );
  return new Map(ranked.slice(0, n));
}

/** Inverse document frequency: ln((N + 1) / (df + 1)) + 1, so unseen terms weigh most. */
export function idf(df: number, total: number): number {
  return Math.log((total + 1) / (Math.min(df, total) + 1)) + 1;
}

/** Cosine of two term vectors. */
export function termCosine(a: TermWeights, b: TermWeights): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [t, w] of small) dot += w * (large.get(t) ?? 0);
  for (const w of a.values()) na += w * w;
  for (const w of b.values()) nb += w * w;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Cosine of two term vectors, each term weighed by `rarity(term)`. */
export function weightedCosine(
  a: TermWeights,
  b: TermWeights,
  rarity: (term: string) => number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [t, w] of small) {
    const o = large.get(t);
    if (o !== undefined) {
      const r = rarity(t);
      dot += w * o * r * r;
    }
  }
  for (const [t, w] of a) na += (w * rarity(t)) ** 2;
  for (const [t, w] of b) nb += (w * rarity(t)) ** 2;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Cosine of two vectors of one length (0 when either is all zeros). */
export function vectorCosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** A story's profile: the sum of its articles' features (capped) and vectors, and counts. */
export interface StoryProfile {
  /** Sum of its articles' unit-length TF-IDF vectors, strongest `MAX_PROFILE_TERMS`. */
  terms: TermWeights;
  /** Sum of its articles' vectors (null: none had one). */
  vector: Float32Array | null;
  /** Articles in the profile. */
  articles: number;
  /** First and last publication time seen, in ms. */
  firstSeen: number;
  lastSeen: number;
  /**
   * Its terms' dot product with an article's and their norm, when it can tell them without
   * building `terms`: a profile read from storage scores straight from its text
   * (ml/stored_profile.ts), which costs a fraction of decoding it. Null: use `terms`.
   */
  termDot?(article: ScoringTerms): { dot: number; norm: number } | null;
}

/** An article's weighted terms, prepared once to be scored against many profiles. */
export interface ScoringTerms {
  weights: TermWeights;
  /** Its terms in code-unit order (how stored profiles keep theirs), and their weights. */
  sorted: string[];
  sortedWeights: number[];
  norm: number;
}

/** `weights` prepared for scoring against many profiles. */
export function scoringTerms(weights: TermWeights): ScoringTerms {
  const sorted = [...weights.keys()].sort();
  let n = 0;
  for (const w of weights.values()) n += w * w;
  return { weights, sorted, sortedWeights: sorted.map((t) => weights.get(t)!), norm: Math.sqrt(n) };
}

/** Features scaled to unit length, so a long article counts no more than a short one. */
export function unitLength(features: TermWeights): TermWeights {
  let n = 0;
  for (const w of features.values()) n += w * w;
  const norm = Math.sqrt(n) || 1;
  return new Map([...features].map(([t, w]) => [t, w / norm]));
}

/** An article's features weighed by rarity (TF-IDF), scaled to unit length. */
export function weighted(features: TermWeights, rarity: (term: string) => number): TermWeights {
  return unitLength(new Map([...features].map(([t, w]) => [t, w * rarity(t)])));
}

/**
 * The profile after an article joins (a new object): its unit-length TF-IDF vector (rarity as
 * it is now) and its vector added, the strongest `MAX_PROFILE_TERMS` terms kept, times widened.
 */
export function addToProfile(
  profile: StoryProfile | null,
  article: { features: TermWeights; vector?: Float32Array | null; at: number },
  rarity: (term: string) => number,
): StoryProfile {
  const terms: TermWeights = new Map(profile?.terms ?? []);
  for (const [t, w] of weighted(article.features, rarity)) addTo(terms, t, w);
  let vector = profile?.vector ? Float32Array.from(profile.vector) : null;
  if (article.vector) {
    if (!vector) vector = Float32Array.from(article.vector);
    else if (vector.length === article.vector.length) {
      for (let i = 0; i < vector.length; i++) vector[i] += article.vector[i];
    }
  }
  return {
    terms: strongest(terms, MAX_PROFILE_TERMS),
    vector,
    articles: (profile?.articles ?? 0) + 1,
    firstSeen: Math.min(profile?.firstSeen ?? article.at, article.at),
    lastSeen: Math.max(profile?.lastSeen ?? article.at, article.at),
  };
}

/** How far from a story's span an article may be and still join: grows with its life. */
export function allowedGap(
  profile: Pick<StoryProfile, "firstSeen" | "lastSeen">,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): number {
  const life = profile.lastSeen - profile.firstSeen;
  return Math.min(params.maxGapMs, params.baseGapMs + params.gapGrowth * life);
}

/** Whether an article published at `at` is within the story's time gap. */
export function withinGap(
  profile: Pick<StoryProfile, "firstSeen" | "lastSeen">,
  at: number,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): boolean {
  const gap = allowedGap(profile, params);
  return at <= profile.lastSeen + gap && at >= profile.firstSeen - gap;
}

/** The similarity of an article to a story: term cosine, blended with the vectors' cosine. */
export function storySimilarity(
  article: { features: TermWeights; vector?: Float32Array | null },
  profile: StoryProfile,
  rarity: (term: string) => number,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): number {
  const terms = scoringTerms(weighted(article.features, rarity));
  return similarity(terms, article.vector ?? null, profile, params);
}

function similarity(
  article: ScoringTerms,
  vector: Float32Array | null,
  profile: StoryProfile,
  params: Readonly<StoryParams>,
): number {
  const stored = profile.termDot?.(article);
  const terms = !stored
    ? termCosine(article.weights, profile.terms)
    : article.norm && stored.norm
    ? stored.dot / (article.norm * stored.norm)
    : 0;
  if (!vector || !profile.vector) return terms;
  const share = params.vectorShare;
  return (1 - share) * terms + share * vectorCosine(vector, profile.vector);
}

/**
 * The candidate story an article joins: the most similar one within its time gap with a
 * similarity of at least `threshold` (ties: the most recently active), or null for a new story.
 */
export function bestStory<T extends { profile: StoryProfile }>(
  article: { features: TermWeights; vector?: Float32Array | null; at: number },
  candidates: readonly T[],
  rarity: (term: string) => number,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): { candidate: T; similarity: number } | null {
  let best: { candidate: T; similarity: number } | null = null;
  const terms = scoringTerms(weighted(article.features, rarity));
  for (const c of candidates) {
    if (!withinGap(c.profile, article.at, params)) continue;
    const sim = similarity(terms, article.vector ?? null, c.profile, params);
    const distance = Math.max(0, article.at - c.profile.lastSeen, c.profile.firstSeen - article.at);
    const needed = params.threshold * (1 + params.sizeGrowth * Math.log(c.profile.articles)) *
      (1 + params.staleGrowth * distance / params.baseGapMs);
    if (sim < needed) continue;
    if (
      !best || sim > best.similarity ||
      (sim === best.similarity && c.profile.lastSeen > best.candidate.profile.lastSeen)
    ) best = { candidate: c, similarity: sim };
  }
  return best;
}

/** The terms a story is found by: its strongest `INDEXED_TERMS`. */
export function indexedTerms(profile: StoryProfile): string[] {
  return [...strongest(profile.terms, INDEXED_TERMS).keys()];
}
