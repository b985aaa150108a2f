/**
 * Stories: articles grouped at ingestion as reports of one event. Each new article's features
 * (weighted words, names, numbers; ml/story_profile.ts) find candidate stories through the
 * inverted index of stories' strongest terms (db/story_index.ts, capped postings per term),
 * and it joins the most similar story profile within the story's time gap, or starts its
 * own. A near copy of an earlier article (MinHash of title and lead, ml/minhash.ts) joins
 * that article's story and is marked as its duplicate.
 */
import type { Db, Queryable } from "../db/mod.ts";
import {
  backfillPosition,
  clearStories,
  markGrouped,
  nextUngrouped,
  storyCandidates,
} from "../db/stories.ts";
import {
  countTerms,
  lockStoryProfile,
  lookUpStories,
  placeInStory,
  storyProfile,
} from "../db/story_index.ts";
import {
  bandKeys,
  decodeSignature,
  encodeSignature,
  estimatedJaccard,
  minhashSignature,
  NEAR_COPY_WINDOW_MS,
  SAME_STORY_JACCARD,
  storyWords,
} from "../ml/minhash.ts";
import {
  addToProfile,
  articleFeatures,
  bestStory,
  decodeProfile,
  DEFAULT_STORY_PARAMS,
  encodeProfile,
  idf,
  indexedTerms,
  MAX_CANDIDATES,
  POSTINGS_PER_TERM,
  QUERY_TERMS,
  type StoryParams,
} from "../ml/story_profile.ts";
import { rebuildProfile } from "./story_corrections.ts";

/** Stored near-copy candidates read per band key at most (the newest in the window). */
export const CANDIDATES_PER_KEY = 10;
/** Articles grouped per transaction when filling the stories of older articles. */
const FILL_BATCH = 500;

/** Years 1-9999: what both PostgreSQL and `toISOString()` write as `YYYY-…`. */
const EARLIEST = new Date("0001-01-01T00:00:00.000Z").getTime();
const LATEST = new Date("9999-12-31T23:59:59.999Z").getTime();

/** A time as ISO 8601, clamped to the years 1-9999 (a window around year 9999 would not parse). */
function isoWithin(ms: number): string {
  return new Date(Math.min(LATEST, Math.max(EARLIEST, ms))).toISOString();
}

/** What grouping needs of an article. */
export interface StoryInput {
  id: number;
  title: string;
  body: string;
  publishedAt: string;
  /** Its topic, when classified (a new story takes its first article's). */
  topic?: string | null;
  /** A unit-length dense vector of what it says (mean word vectors), when there is one. */
  vector?: Float32Array | null;
}

/** The earlier article an article nearly copies (MinHash), and that article's story. */
async function nearCopy(
  tx: Queryable,
  article: { at: number; sig: Uint32Array | null; keys: number[] },
): Promise<{ articleId: number; storyId: number } | null> {
  if (!article.sig) return null;
  const found = await storyCandidates(tx, {
    keys: article.keys,
    from: isoWithin(article.at - NEAR_COPY_WINDOW_MS),
    to: isoWithin(article.at + NEAR_COPY_WINDOW_MS + 1),
    perKey: CANDIDATES_PER_KEY,
  });
  let best: { sim: number; articleId: number; storyId: number } | null = null;
  const seen = new Set<number>();
  for (const c of found) {
    if (seen.has(c.articleId)) continue;
    seen.add(c.articleId);
    const sig = decodeSignature(c.minhash);
    if (!sig) continue;
    const sim = estimatedJaccard(article.sig, sig);
    if (sim >= SAME_STORY_JACCARD && (!best || sim > best.sim)) {
      best = { sim, articleId: c.articleId, storyId: c.storyId };
    }
  }
  return best && { articleId: best.articleId, storyId: best.storyId };
}

/**
 * Puts each article in a story, inside the caller's transaction, in publication order: an
 * article joins the story of an earlier near copy, else the most similar candidate story,
 * else starts one; the story's profile and index entries follow. Work per article is
 * bounded by the caps of ml/story_profile.ts, whatever the number of stories stored.
 */
export async function groupIntoStories(
  tx: Queryable,
  articles: StoryInput[],
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
): Promise<void> {
  if (articles.length === 0) return;
  const sorted = [...articles].sort((a, b) =>
    a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : a.id - b.id
  );
  // Frequencies counted once for the batch, after it (in term order: no deadlocks).
  const counts = new Map<string, number>();
  let done = 0;
  const single = sorted.length === 1;
  for (const a of sorted) {
    const at = Date.parse(a.publishedAt);
    const features = articleFeatures(a.title, a.body, params);
    const sig = minhashSignature(storyWords(a.title, a.body));
    const keys = sig ? bandKeys(sig) : [];
    // Independent reads, sent together (postgres.js pipelines them on the connection).
    const [found, copy] = await Promise.all([
      lookUpStories(tx, {
        terms: [...features.keys()],
        weights: [...features.values()],
        queryTerms: QUERY_TERMS,
        perTerm: POSTINGS_PER_TERM,
        max: MAX_CANDIDATES,
      }),
      nearCopy(tx, { at, sig, keys }),
    ]);
    const { total, df } = found;
    const rarity = (t: string) => idf((df.get(t) ?? 0) + (counts.get(t) ?? 0), total + done);
    const item = { features, vector: a.vector ?? null, at };
    const candidates = found.candidates.flatMap((c) => {
      const profile = decodeProfile(c.profile);
      return profile ? [{ id: c.id, text: c.profile, profile }] : [];
    });
    let chosen: { id: number; text: string | null } | null = null;
    if (copy) {
      chosen = candidates.find((c) => c.id === copy.storyId) ??
        { id: copy.storyId, text: (await storyProfile(tx, copy.storyId))?.profile ?? null };
    } else {
      chosen = bestStory(item, candidates, rarity, params)?.candidate ?? null;
    }
    const articleCounts = new Map([...features.keys()].map((t) => [t, 1]));
    const place = (storyId: number | null, profile: string | null, expected?: string | null) => {
      const updated = addToProfile(decodeProfile(profile), item, rarity);
      return placeInStory(tx, {
        storyId,
        title: a.title,
        topic: a.topic ?? null,
        articleId: a.id,
        publishedAt: a.publishedAt,
        minhash: sig ? encodeSignature(sig) : null,
        keys,
        duplicateOf: copy?.articleId ?? null,
        profile: encodeProfile(updated),
        terms: indexedTerms(updated),
        lastSeen: isoWithin(updated.lastSeen),
        expected,
        counts: single ? articleCounts : undefined,
      });
    };
    // Optimistic: written only if the story still holds the profile read; else (a
    // concurrent batch added to it) recomputed under the story's row lock.
    const placed = await place(chosen?.id ?? null, chosen?.text ?? null, chosen?.text ?? null);
    if (placed === null && chosen) {
      const locked = await lockStoryProfile(tx, chosen.id);
      await place(locked ? chosen.id : null, locked?.profile ?? null);
    }
    for (const t of features.keys()) counts.set(t, (counts.get(t) ?? 0) + 1);
    done++;
  }
  if (single) return;
  await countTerms(tx, counts, sorted.length);
}

/**
 * Groups the articles stored before stories were kept (or before a method change that
 * regroups them, migrations 0017 and 0024), `FILL_BATCH` ids per transaction, from where an
 * earlier run stopped; with `rebuild`, forgets every story first (except where reviewers put
 * articles: those stay, their profiles rebuilt) and groups all articles again (`newsintel
 * stories rebuild --all`). Memory is bounded by one batch. `onProgress` hears the id reached
 * and the highest id after each batch. Returns how many articles it grouped.
 */
export async function fillStories(
  db: Db,
  options: {
    rebuild?: boolean;
    onProgress?: (reached: number, maxId: number) => void;
  } = {},
): Promise<number> {
  if (options.rebuild) {
    await db.transaction(async (tx) => {
      for (const id of await clearStories(tx)) await rebuildProfile(tx, id);
    });
  }
  let total = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const next = await nextUngrouped(tx, FILL_BATCH);
      if (!next) return null;
      await groupIntoStories(tx, next.articles);
      // Fewer ids than asked for: the scan reached the newest article.
      const done = next.scanned < FILL_BATCH;
      await markGrouped(tx, next.lastId, done);
      return { grouped: next.articles.length, done, lastId: next.lastId };
    });
    if (!step) return total;
    total += step.grouped;
    if (options.onProgress) {
      const at = await backfillPosition(db);
      options.onProgress(step.lastId, at?.maxId ?? step.lastId);
    }
    if (step.done) return total;
  }
}
