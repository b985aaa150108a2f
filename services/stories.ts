/**
 * Stories: articles grouped at ingestion as reports of one event. Each new article's features
 * (weighted words, names, numbers; ml/story_profile.ts) find candidate stories through the
 * inverted index of stories' strongest terms (db/story_index.ts, capped postings per term),
 * and it joins the most similar story profile within the story's time gap, or starts its
 * own. A near copy of an earlier article (MinHash of title and lead, ml/minhash.ts) joins
 * that article's story and is marked as its duplicate.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { backfillPosition, clearStories, markGrouped, nextUngrouped } from "../db/stories.ts";
import {
  lockStoryProfiles,
  type StoredCopy,
  type StoryLookup,
  storyProfiles,
} from "../db/story_index.ts";
import { type ArticlePlacement, placeInStories, type StoryWrite } from "../db/story_placement.ts";
import {
  decodeSignature,
  encodeSignature,
  estimatedJaccard,
  NEAR_COPY_WINDOW_MS,
  SAME_STORY_JACCARD,
} from "../ml/minhash.ts";
import {
  addToProfile,
  bestStory,
  DEFAULT_STORY_PARAMS,
  idf,
  indexedTerms,
  MAX_CANDIDATES,
  type StoryParams,
  type StoryProfile,
  type TermWeights,
} from "../ml/story_profile.ts";
import { decodeProfile, encodeProfile } from "../ml/stored_profile.ts";
import { rebuildProfile } from "./story_corrections.ts";
import {
  CANDIDATES_PER_KEY,
  isoWithin,
  lookUpFor,
  readingOf,
  type StoryReading,
} from "./story_lookup.ts";
import { statementTurn } from "../db/statements.ts";

/** Articles grouped per transaction when filling the stories of older articles. */
const FILL_BATCH = 500;

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
  /**
   * What grouping reads of it under the default parameters, when read before
   * (services/story_lookup.ts `readForStories`): ingestion reads articles while it prepares them, so the
   * ingest transaction, which one writer holds at a time, does not.
   */
  reading?: StoryReading;
}

/** An article of the batch with what grouping computed of it. */
interface Item {
  input: StoryInput;
  /** Its position in the batch as given (and in the look-up's answer). */
  pos: number;
  at: number;
  features: TermWeights;
  vector: Float32Array | null;
  sig: Uint32Array | null;
  keys: number[];
  /** The key of the story it was placed in, and the article it nearly copies. */
  story?: number;
  duplicateOf?: number | null;
}

/** A story the batch reads or writes, by key: a stored story's id, or -1, -2, … when new. */
interface Story {
  key: number;
  profile: StoryProfile | null;
  /** A stored story's profile as read (what its write expects to replace). */
  stored?: string | null;
  /** The batch's articles placed in it, in order. */
  members: Item[];
  /** Its indexed terms now (to keep the batch's own index current). */
  indexed: string[];
}

/** An article as grouping reads it, at `pos` in its batch. */
function itemOf(
  input: StoryInput,
  pos: number,
  params: Readonly<StoryParams>,
): Item {
  const read = readingOf(input, params);
  return { input, pos, at: Date.parse(input.publishedAt), vector: input.vector ?? null, ...read };
}

/**
 * Puts each article in a story, inside the caller's transaction, in publication order: an
 * article joins the story of an earlier near copy, else the most similar candidate story,
 * else starts one; the story's profile and index entries follow. A batch costs a bounded
 * number of statements, not some per article: its candidates are read at once (or were,
 * `found`, in the order of `articles`: services/story_lookup.ts `lookUpDrafts`), the assignment is made in
 * memory (articles of the batch find the stories the batch made or moved through its own
 * index, as they would through the stored one), and written at once. Work per article is
 * bounded by the caps of ml/story_profile.ts, whatever the number of stories stored.
 */
export async function groupIntoStories(
  tx: Queryable,
  articles: StoryInput[],
  params: Readonly<StoryParams> = DEFAULT_STORY_PARAMS,
  found?: StoryLookup,
): Promise<void> {
  if (articles.length === 0) return;
  // Synchronous work per article: the event loop gets a turn every few ms of it, counted
  // with the statements around it (db/statements.ts), so the statements of a call and the
  // work before the next call's are never one stretch without a turn.
  const given: Item[] = [];
  for (const [pos, input] of articles.entries()) {
    await statementTurn();
    given.push(itemOf(input, pos, params));
  }
  const look = found ?? await lookUpFor(tx, given, params);
  const items = [...given].sort((a, b) =>
    a.input.publishedAt < b.input.publishedAt
      ? -1
      : a.input.publishedAt > b.input.publishedAt
      ? 1
      : a.input.id - b.input.id
  );
  const storedCopies = bestStoredCopies(given, look.copies);
  const missing = [...new Set([...storedCopies.values()].map((c) => c.storyId))]
    .filter((id) => !look.profiles.has(id));
  for (const [id, text] of await storyProfiles(tx, missing)) look.profiles.set(id, text);

  // Frequencies as read, plus the batch's own so far.
  const counts = new Map<string, number>();
  let done = 0;
  const rarity = (t: string) =>
    idf((look.df.get(t) ?? 0) + (counts.get(t) ?? 0), look.total + done);

  const stories = new Map<number, Story>();
  const batchIndex = new Map<string, Set<number>>();
  const decoded = new Map<number, StoryProfile | null>();
  const storyOf = (key: number): Story | null => {
    let story = stories.get(key);
    if (story) return story;
    if (key < 0 || !look.profiles.has(key)) return null;
    const text = look.profiles.get(key) ?? null;
    if (!decoded.has(key)) decoded.set(key, decodeProfile(text));
    story = { key, profile: decoded.get(key)!, stored: text, members: [], indexed: [] };
    return story;
  };
  const bandIndex = new Map<number, Item[]>();
  let newStories = 0;

  for (const item of items) {
    await statementTurn();
    let chosen: Story | null = null;
    const copy = nearCopy(item, storedCopies.get(item.pos) ?? null, bandIndex);
    if (copy) chosen = storyOf(copy.story);
    if (!chosen) {
      const candidates = candidatesOf(look.candidates[item.pos], look.queried[item.pos], batchIndex)
        .flatMap((key) => {
          const story = storyOf(key);
          return story?.profile ? [{ story, profile: story.profile }] : [];
        });
      chosen = bestStory(item, candidates, rarity, params)?.candidate.story ?? null;
    }
    if (!chosen) {
      chosen = { key: -++newStories, profile: null, members: [], indexed: [] };
    }
    stories.set(chosen.key, chosen);
    chosen.profile = addToProfile(chosen.profile, item, rarity);
    chosen.members.push(item);
    for (const t of chosen.indexed) batchIndex.get(t)?.delete(chosen.key);
    chosen.indexed = indexedTerms(chosen.profile);
    for (const t of chosen.indexed) {
      const set = batchIndex.get(t) ?? new Set();
      batchIndex.set(t, set.add(chosen.key));
    }
    item.story = chosen.key;
    item.duplicateOf = copy?.articleId ?? null;
    for (const k of item.keys) {
      const list = bandIndex.get(k);
      if (list) list.push(item);
      else bandIndex.set(k, [item]);
    }
    for (const t of item.features.keys()) counts.set(t, (counts.get(t) ?? 0) + 1);
    done++;
  }

  const all = [...stories.values()];
  const written = await placeInStories(tx, {
    stories: all.map((s) => storyWrite(s, s.stored)),
    articles: all.flatMap((s) => s.members.map(placement)),
    frequencies: { counts, articles: items.length },
  });
  // A stored story another transaction moved meanwhile: its articles are folded again into
  // the profile it holds now, under its row lock (one that vanished: into a new story).
  const stale = all.filter((s) => !written.has(s.key));
  if (stale.length === 0) return;
  const locked = await lockStoryProfiles(tx, stale.map((s) => s.key));
  const again = stale.map((s) => {
    const gone = !locked.has(s.key);
    let profile = gone ? null : decodeProfile(locked.get(s.key) ?? null);
    for (const m of s.members) profile = addToProfile(profile, m, rarity);
    const story: Story = { ...s, key: gone ? -++newStories : s.key, profile };
    for (const m of s.members) m.story = story.key;
    return story;
  });
  await placeInStories(tx, {
    stories: again.map((s) => storyWrite(s, undefined)),
    articles: again.flatMap((s) => s.members.map(placement)),
  });
}

/** Per article, the stored near copy with the highest estimated Jaccard, if it is one. */
function bestStoredCopies(
  items: Item[],
  rows: StoredCopy[],
): Map<number, { articleId: number; storyId: number; sim: number }> {
  const best = new Map<number, { articleId: number; storyId: number; sim: number }>();
  for (const r of rows) {
    const sig = items[r.article].sig;
    const other = decodeSignature(r.minhash);
    if (!sig || !other) continue;
    const sim = estimatedJaccard(sig, other);
    const now = best.get(r.article);
    if (sim >= SAME_STORY_JACCARD && (!now || sim > now.sim)) {
      best.set(r.article, { articleId: r.articleId, storyId: r.storyId, sim });
    }
  }
  return best;
}

/**
 * The earlier article an article nearly copies, stored or earlier in the batch (within
 * the window, at most `CANDIDATES_PER_KEY` of the batch per band key), and that article's story.
 */
function nearCopy(
  item: Item,
  stored: { articleId: number; storyId: number; sim: number } | null,
  bandIndex: Map<number, Item[]>,
): { articleId: number; story: number } | null {
  let best = stored && { articleId: stored.articleId, story: stored.storyId, sim: stored.sim };
  if (!item.sig) return best;
  const seen = new Set<Item>();
  for (const k of item.keys) {
    for (const other of (bandIndex.get(k) ?? []).slice(-CANDIDATES_PER_KEY)) {
      if (seen.has(other) || !other.sig) continue;
      seen.add(other);
      if (Math.abs(other.at - item.at) > NEAR_COPY_WINDOW_MS) continue;
      const sim = estimatedJaccard(item.sig, other.sig);
      if (sim >= SAME_STORY_JACCARD && (!best || sim > best.sim)) {
        best = { articleId: other.input.id, story: other.story!, sim };
      }
    }
  }
  return best;
}

/**
 * The keys of an article's candidate stories: the stored ones its lookup found and those
 * of the batch sharing its query terms, the most shared terms first (ties: the newest),
 * `MAX_CANDIDATES` at most.
 */
function candidatesOf(
  stored: Array<{ id: number; hits: number }>,
  queried: string[],
  batchIndex: Map<string, Set<number>>,
): number[] {
  const hits = new Map(stored.map((c) => [c.id, c.hits]));
  const inBatch = new Map<number, number>();
  for (const t of queried) {
    for (const key of batchIndex.get(t) ?? []) inBatch.set(key, (inBatch.get(key) ?? 0) + 1);
  }
  for (const [key, n] of inBatch) hits.set(key, Math.max(hits.get(key) ?? 0, n));
  // A new story (negative key) is newer than every stored one.
  const recency = (key: number) => key < 0 ? Number.MAX_SAFE_INTEGER + key : key;
  return [...hits].sort((a, b) => b[1] - a[1] || recency(b[0]) - recency(a[0]))
    .slice(0, MAX_CANDIDATES).map(([key]) => key);
}

/** What the batch writes of a story. */
function storyWrite(story: Story, expected: string | null | undefined): StoryWrite {
  const profile = story.profile!;
  const first = story.members[0].input;
  return {
    key: story.key,
    id: story.key < 0 ? null : story.key,
    title: first.title,
    topic: first.topic ?? null,
    articles: story.members.length,
    firstSeen: isoWithin(profile.firstSeen),
    lastSeen: isoWithin(profile.lastSeen),
    profile: encodeProfile(profile),
    terms: indexedTerms(profile),
    ...(story.key < 0 ? {} : { expected }),
  };
}

function placement(item: Item): ArticlePlacement {
  return {
    articleId: item.input.id,
    story: item.story!,
    publishedAt: item.input.publishedAt,
    minhash: item.sig ? encodeSignature(item.sig) : null,
    keys: item.keys,
    duplicateOf: item.duplicateOf ?? null,
  };
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
