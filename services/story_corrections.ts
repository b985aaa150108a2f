/**
 * Reviewers correct stories: move articles to another story, split articles off into a new
 * story, merge one story into another. Each runs in one transaction with both stories locked
 * (in id order), pins the moved articles so regrouping never undoes it, rebuilds the
 * profiles of the stories touched and records who did what. Outcomes, not HTTP errors: the
 * routes map them.
 */
import type { Db, Queryable } from "../db/mod.ts";
import {
  articlesInStory,
  earliestOf,
  lockStories,
  moveArticles,
  profileSource,
  recordCorrection,
  refreshStory,
} from "../db/story_corrections.ts";
import { insertStory, saveStoryProfile, termFrequencies } from "../db/story_index.ts";
import {
  addToProfile,
  articleFeatures,
  idf,
  indexedTerms,
  type StoryProfile,
} from "../ml/story_profile.ts";
import { encodeProfile } from "../ml/stored_profile.ts";

/** Articles a rebuilt profile is made of at most (a story's latest). */
export const PROFILE_ARTICLES = 200;
/** Articles one correction may name at most. */
export const MAX_CORRECTED_ARTICLES = 500;

/** What a correction came to. */
export type CorrectionOutcome =
  | { kind: "ok"; storyId: number; intoStory: number; articles: number[] }
  | { kind: "storyNotFound"; id: number }
  | { kind: "sameStory" }
  | { kind: "notInStory"; articles: number[] }
  | { kind: "wholeStory" };

/** Rebuilds a story's profile and index entries from its latest articles. */
export async function rebuildProfile(tx: Queryable, id: number): Promise<void> {
  const source = await profileSource(tx, id, PROFILE_ARTICLES);
  if (source.length === 0) return;
  const features = source.map((a) => articleFeatures(a.title, a.body));
  const { total, df } = await termFrequencies(tx, [
    ...new Set(features.flatMap((f) => [...f.keys()])),
  ]);
  const rarity = (t: string) => idf(df.get(t) ?? 0, total);
  let profile: StoryProfile | null = null;
  for (const [i, a] of source.entries()) {
    profile = addToProfile(
      profile,
      { features: features[i], at: Date.parse(a.publishedAt) },
      rarity,
    );
  }
  await saveStoryProfile(tx, {
    id,
    profile: encodeProfile(profile!),
    terms: indexedTerms(profile!),
    lastSeen: new Date(profile!.lastSeen).toISOString(),
  });
}

async function finish(
  tx: Queryable,
  c: {
    actor: string;
    action: "move" | "split" | "merge";
    from: number;
    into: number;
    moved: number[];
  },
): Promise<CorrectionOutcome> {
  for (const id of [c.from, c.into]) {
    if (await refreshStory(tx, id)) await rebuildProfile(tx, id);
  }
  await recordCorrection(tx, {
    actor: c.actor,
    action: c.action,
    storyId: c.from,
    intoStory: c.into,
    articles: c.moved,
  });
  return { kind: "ok", storyId: c.from, intoStory: c.into, articles: c.moved };
}

/** Moves `articleIds` of story `from` into story `into`. */
export function moveToStory(
  db: Db,
  options: { actor: string; from: number; into: number; articleIds: number[] },
): Promise<CorrectionOutcome> {
  if (options.from === options.into) return Promise.resolve({ kind: "sameStory" });
  return db.transaction(async (tx) => {
    const found = await lockStories(tx, [options.from, options.into].sort((a, b) => a - b));
    for (const id of [options.from, options.into]) {
      if (!found.has(id)) return { kind: "storyNotFound", id };
    }
    const wanted = [...new Set(options.articleIds)];
    const inStory = await articlesInStory(tx, options.from, wanted);
    if (inStory.length !== wanted.length) {
      return { kind: "notInStory", articles: wanted.filter((a) => !inStory.includes(a)) };
    }
    const moved = await moveArticles(tx, { ...options, articleIds: wanted });
    return await finish(tx, { ...options, action: "move", moved });
  });
}

/** Splits `articleIds` off story `from` into a new story (not all of its articles). */
export function splitStory(
  db: Db,
  options: { actor: string; from: number; articleIds: number[] },
): Promise<CorrectionOutcome> {
  return db.transaction(async (tx) => {
    const found = await lockStories(tx, [options.from]);
    const story = found.get(options.from);
    if (!story) return { kind: "storyNotFound", id: options.from };
    const wanted = [...new Set(options.articleIds)];
    const inStory = await articlesInStory(tx, options.from, wanted);
    if (inStory.length !== wanted.length) {
      return { kind: "notInStory", articles: wanted.filter((a) => !inStory.includes(a)) };
    }
    if (wanted.length >= story.articles) return { kind: "wholeStory" };
    const first = await earliestOf(tx, wanted);
    const into = await insertStory(tx, {
      title: first.title,
      at: first.publishedAt,
      topic: null,
    });
    const moved = await moveArticles(tx, { from: options.from, into, articleIds: wanted });
    return await finish(tx, { ...options, action: "split", into, moved });
  });
}

/** Merges story `from` into story `into` (every article of `from` moves; `from` is deleted). */
export function mergeStories(
  db: Db,
  options: { actor: string; from: number; into: number },
): Promise<CorrectionOutcome> {
  if (options.from === options.into) return Promise.resolve({ kind: "sameStory" });
  return db.transaction(async (tx) => {
    const found = await lockStories(tx, [options.from, options.into].sort((a, b) => a - b));
    for (const id of [options.from, options.into]) {
      if (!found.has(id)) return { kind: "storyNotFound", id };
    }
    const moved = await moveArticles(tx, {
      from: options.from,
      into: options.into,
      articleIds: null,
    });
    return await finish(tx, { ...options, action: "merge", moved });
  });
}
