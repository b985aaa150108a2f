/**
 * What story grouping reads before it places articles: each article's reading (weighted
 * features, MinHash signature and band keys), and one look-up per batch of the candidate
 * stories and stored near copies (db/story_index.ts), which ingestion can send before the
 * articles are stored.
 */
import type { Queryable } from "../db/mod.ts";
import { lookUpStories, type StoryLookup } from "../db/story_index.ts";
import { bandKeys, minhashSignature, NEAR_COPY_WINDOW_MS, storyWords } from "../ml/minhash.ts";
import {
  articleFeatures,
  DEFAULT_STORY_PARAMS,
  MAX_CANDIDATES,
  POSTINGS_PER_TERM,
  QUERY_TERMS,
  type StoryParams,
  type TermWeights,
} from "../ml/story_profile.ts";

/** Stored near-copy candidates read per band key at most (the newest in the window). */
export const CANDIDATES_PER_KEY = 10;

/** Years 1-9999: what both PostgreSQL and `toISOString()` write as `YYYY-…`. */
const EARLIEST = new Date("0001-01-01T00:00:00.000Z").getTime();
const LATEST = new Date("9999-12-31T23:59:59.999Z").getTime();

/** A time as ISO 8601, clamped to the years 1-9999 (a window around year 9999 would not parse). */
export function isoWithin(ms: number): string {
  return new Date(Math.min(LATEST, Math.max(EARLIEST, ms))).toISOString();
}

/** What grouping reads of an article: its weighted features and its MinHash signature. */
export interface StoryReading {
  features: TermWeights;
  sig: Uint32Array | null;
  keys: number[];
}

/** Reads an article as grouping does (the work per article is capped, ml/story_profile.ts). */
export function readForStories(
  title: string,
  body: string,
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): StoryReading {
  const sig = minhashSignature(storyWords(title, body));
  return {
    features: articleFeatures(title, body, params),
    sig,
    keys: sig ? bandKeys(sig) : [],
  };
}

/** What grouping reads of an article: read before (`reading`, default parameters only) or now. */
export function readingOf(
  a: { title: string; body: string; reading?: StoryReading },
  params: Readonly<StoryParams>,
): StoryReading {
  return a.reading && params === DEFAULT_STORY_PARAMS
    ? a.reading
    : readForStories(a.title, a.body, params);
}

/** What grouping's look-up needs of an article: what it reads of it, and when it was published. */
export interface StoryDraft {
  title: string;
  body: string;
  /** ISO 8601; none (or not a time): an article about to be stored at this moment. */
  publishedAt: string | null;
  reading?: StoryReading;
}

/** The look-up of items' candidate stories and stored near copies, in the items' order. */
export function lookUpFor(
  tx: Queryable,
  items: (StoryReading & { at: number })[],
  params: Readonly<StoryParams>,
): Promise<StoryLookup> {
  return lookUpStories(tx, {
    articles: items.map((it) => ({
      terms: [...it.features.keys()],
      weights: [...it.features.values()],
      // A story last seen longer ago than the widest gap cannot take the article.
      from: isoWithin(it.at - params.maxGapMs),
      bands: it.sig ? it.keys : [],
      copiesFrom: isoWithin(it.at - NEAR_COPY_WINDOW_MS),
      copiesTo: isoWithin(it.at + NEAR_COPY_WINDOW_MS + 1),
    })),
    queryTerms: QUERY_TERMS,
    perTerm: POSTINGS_PER_TERM,
    max: MAX_CANDIDATES,
    perKey: CANDIDATES_PER_KEY,
  });
}

/**
 * The candidate look-up of articles not stored yet, in their order: ingestion sends it
 * with the articles' insert, in the same transaction, so the transaction waits for one
 * answer fewer. Pass it, narrowed to the articles stored ({@link lookupOf}), to
 * services/stories.ts `groupIntoStories`: the insert writes nothing the look-up reads (stories, their
 * index, band keys and term frequencies are written by grouping alone).
 */
export function lookUpDrafts(
  tx: Queryable,
  drafts: StoryDraft[],
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): Promise<StoryLookup> {
  const now = Date.now();
  const timeOf = (iso: string | null) => {
    const ms = iso === null ? NaN : Date.parse(iso);
    return Number.isNaN(ms) ? now : ms;
  };
  return lookUpFor(
    tx,
    drafts.map((d) => ({
      at: timeOf(d.publishedAt),
      ...readingOf(d, params),
    })),
    params,
  );
}

/** A look-up's answer for the articles at `positions` of its batch, in that order. */
export function lookupOf(found: StoryLookup, positions: number[]): StoryLookup {
  const at = new Map(positions.map((p, i) => [p, i]));
  return {
    ...found,
    queried: positions.map((p) => found.queried[p]),
    candidates: positions.map((p) => found.candidates[p]),
    copies: found.copies.flatMap((c) =>
      at.has(c.article) ? [{ ...c, article: at.get(c.article)! }] : []
    ),
  };
}
