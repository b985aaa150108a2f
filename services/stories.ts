/**
 * Stories: articles grouped at ingestion as near duplicates or reports of one event. Each
 * new article's MinHash signature (title and lead, ml/minhash.ts) finds candidates through
 * its LSH band keys (db/stories.ts, an index lookup per key, capped), and it joins the story
 * of the most similar one within three days (ml/story_groups.ts) or starts its own.
 */
import type { Db, Queryable } from "../db/mod.ts";
import {
  assignStories,
  clearStories,
  createStories,
  markGrouped,
  nextUngrouped,
  storyCandidates,
} from "../db/stories.ts";
import {
  bandKeys,
  decodeSignature,
  encodeSignature,
  minhashSignature,
  storyWords,
} from "../ml/minhash.ts";
import {
  chooseStories,
  type NewStoryItem,
  STORY_WINDOW_MS,
  type StoryCandidate,
} from "../ml/story_groups.ts";

/** Stored candidates read per band key at most (the newest in the window). */
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
}

/**
 * Puts each article in a story, inside the caller's transaction: one candidate query for
 * the batch, then the stories created and the articles assigned in three statements.
 */
export async function groupIntoStories(tx: Queryable, articles: StoryInput[]): Promise<void> {
  if (articles.length === 0) return;
  const sorted = [...articles].sort((a, b) =>
    a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : a.id - b.id
  );
  const prepared = sorted.map((a) => {
    const sig = minhashSignature(storyWords(a.title, a.body));
    return { article: a, at: Date.parse(a.publishedAt), sig, keys: sig ? bandKeys(sig) : [] };
  });
  const times = prepared.map((p) => p.at);
  const found = await storyCandidates(tx, {
    keys: [...new Set(prepared.flatMap((p) => p.keys))],
    from: isoWithin(Math.min(...times) - STORY_WINDOW_MS),
    to: isoWithin(Math.max(...times) + STORY_WINDOW_MS + 1),
    perKey: CANDIDATES_PER_KEY,
  });
  const byKey = new Map<number, StoryCandidate[]>();
  const seen = new Set<string>();
  // An article found through several keys is decoded once.
  const decoded = new Map<number, Uint32Array | null>();
  for (const c of found) {
    if (seen.has(`${c.key}:${c.articleId}`)) continue;
    seen.add(`${c.key}:${c.articleId}`);
    let sig = decoded.get(c.articleId);
    if (sig === undefined) decoded.set(c.articleId, sig = decodeSignature(c.minhash));
    if (!sig) continue;
    const list = byKey.get(c.key) ?? [];
    list.push({ storyId: c.storyId, at: c.publishedAt, sig });
    byKey.set(c.key, list);
  }
  const items: NewStoryItem[] = prepared.map((p) => ({
    at: p.at,
    sig: p.sig,
    keys: p.keys,
    candidates: p.keys.flatMap((k) => byKey.get(k) ?? []),
  }));
  const choices = chooseStories(items);
  // A new story's title and time are its first article's.
  const firsts: Array<{ title: string; at: string }> = [];
  choices.forEach((c, i) => {
    if ("newStory" in c && firsts.length === c.newStory) {
      firsts.push({ title: sorted[i].title, at: sorted[i].publishedAt });
    }
  });
  const ids = await createStories(tx, firsts);
  await assignStories(
    tx,
    prepared.map((p, i) => {
      const c = choices[i];
      return {
        articleId: p.article.id,
        storyId: "story" in c ? c.story : ids[c.newStory],
        publishedAt: p.article.publishedAt,
        minhash: p.sig ? encodeSignature(p.sig) : null,
        keys: p.keys,
      };
    }),
  );
}

/**
 * Groups the articles stored before stories were kept (migration 0013), `FILL_BATCH` ids
 * per transaction, from where an earlier run stopped; with `rebuild`, forgets every story
 * first and groups all articles again (`newsintel stories rebuild`). Returns how many
 * articles it grouped; one lookup when nothing is left.
 */
export async function fillStories(db: Db, options: { rebuild?: boolean } = {}): Promise<number> {
  if (options.rebuild) await db.transaction((tx) => clearStories(tx));
  let total = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const next = await nextUngrouped(tx, FILL_BATCH);
      if (!next) return null;
      await groupIntoStories(tx, next.articles);
      // Fewer ids than asked for: the scan reached the newest article.
      const done = next.scanned < FILL_BATCH;
      await markGrouped(tx, next.lastId, done);
      return { grouped: next.articles.length, done };
    });
    if (!step) return total;
    total += step.grouped;
    if (step.done) return total;
  }
}
