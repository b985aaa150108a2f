/**
 * Story corrections SQL: reviewers moving articles between stories, splitting and merging
 * them. Moved articles are pinned (regrouping and rebuilds leave them where a person put
 * them), counts and spans follow, an emptied story is deleted, and each correction is
 * recorded in the append-only `story_corrections`.
 */
import type { Queryable } from "./mod.ts";

/** Locks stories in id order (so two corrections cannot deadlock); returns those that exist. */
export async function lockStories(
  db: Queryable,
  ids: number[],
): Promise<Map<number, { articles: number }>> {
  const rows = await db.query<{ id: string | number; articles: number }>(
    "SELECT id, articles FROM stories WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.id), { articles: r.articles }]));
}

/** Which of `articleIds` belong to `storyId`. */
export async function articlesInStory(
  db: Queryable,
  storyId: number,
  articleIds: number[],
): Promise<number[]> {
  const rows = await db.query<{ article_id: string | number }>(
    `SELECT article_id FROM article_stories
      WHERE story_id = $1 AND article_id = ANY($2::bigint[]) ORDER BY article_id`,
    [storyId, articleIds],
  );
  return rows.map((r) => Number(r.article_id));
}

/** The title and time of the earliest of `articleIds` (by publication time). */
export async function earliestOf(
  db: Queryable,
  articleIds: number[],
): Promise<{ title: string; publishedAt: string }> {
  const [row] = await db.query<{ title: string; published_at: Date }>(
    `SELECT a.title, x.published_at FROM article_stories x JOIN articles a ON a.id = x.article_id
      WHERE x.article_id = ANY($1::bigint[]) ORDER BY x.published_at, x.article_id LIMIT 1`,
    [articleIds],
  );
  return { title: row.title, publishedAt: new Date(row.published_at).toISOString() };
}

/** Moves articles (or, with `articleIds` null, all of `from`) into `into`, pinned there. */
export async function moveArticles(
  db: Queryable,
  options: { from: number; into: number; articleIds: number[] | null },
): Promise<number[]> {
  const rows = await db.query<{ article_id: string | number }>(
    `UPDATE article_stories SET story_id = $2, pinned = true
      WHERE story_id = $1 AND ($3::bigint[] IS NULL OR article_id = ANY($3::bigint[]))
      RETURNING article_id`,
    [options.from, options.into, options.articleIds],
  );
  return rows.map((r) => Number(r.article_id)).sort((a, b) => a - b);
}

/**
 * Sets a story's count and first/last seen from its articles; deletes it when none is left
 * (its index entries go with it). Returns how many articles it holds.
 */
export async function refreshStory(db: Queryable, id: number): Promise<number> {
  const [row] = await db.query<{ n: number; first: Date | null; last: Date | null }>(
    `SELECT count(*)::int AS n, min(published_at) AS first, max(published_at) AS last
       FROM article_stories WHERE story_id = $1`,
    [id],
  );
  if (row.n === 0) {
    await db.query("DELETE FROM stories WHERE id = $1", [id]);
    return 0;
  }
  await db.query(
    "UPDATE stories SET articles = $2, first_seen = $3, last_seen = $4 WHERE id = $1",
    [id, row.n, row.first, row.last],
  );
  return row.n;
}

/** The texts a story's profile is rebuilt from: its latest `limit` articles. */
export async function profileSource(
  db: Queryable,
  id: number,
  limit: number,
): Promise<Array<{ title: string; body: string; publishedAt: string }>> {
  const rows = await db.query<{ title: string; body: string; published_at: Date }>(
    `SELECT a.title, left(a.body, 8000) AS body, x.published_at
       FROM article_stories x JOIN articles a ON a.id = x.article_id
      WHERE x.story_id = $1 ORDER BY x.published_at DESC, x.article_id DESC LIMIT $2`,
    [id, limit],
  );
  return rows.reverse().map((r) => ({
    title: r.title,
    body: r.body,
    publishedAt: new Date(r.published_at).toISOString(),
  }));
}

/** One recorded correction. */
export interface StoryCorrection {
  id: number;
  actor: string;
  action: "move" | "split" | "merge";
  storyId: number;
  intoStory: number | null;
  articles: number[];
  at: string;
}

/** Records a correction. */
export async function recordCorrection(
  db: Queryable,
  c: Omit<StoryCorrection, "id" | "at">,
): Promise<void> {
  await db.query(
    `INSERT INTO story_corrections (actor, action, story_id, into_story, articles)
     VALUES ($1, $2, $3, $4, $5::bigint[])`,
    [c.actor, c.action, c.storyId, c.intoStory, c.articles],
  );
}

/** The latest `limit` corrections touching a story (as source or destination). */
export async function storyCorrections(
  db: Queryable,
  id: number,
  limit: number,
): Promise<StoryCorrection[]> {
  const rows = await db.query<{
    id: string | number;
    actor: string;
    action: StoryCorrection["action"];
    story_id: string | number;
    into_story: string | number | null;
    articles: Array<string | number>;
    at: Date;
  }>(
    `SELECT id, actor, action, story_id, into_story, articles, at FROM story_corrections
      WHERE story_id = $1 OR into_story = $1 ORDER BY id DESC LIMIT $2`,
    [id, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    actor: r.actor,
    action: r.action,
    storyId: Number(r.story_id),
    intoStory: r.into_story === null ? null : Number(r.into_story),
    articles: r.articles.map(Number),
    at: new Date(r.at).toISOString(),
  }));
}

/** How many articles a story holds (read without a lock), or null when there is none. */
export async function storySize(db: Queryable, id: number): Promise<number | null> {
  const [row] = await db.query<{ articles: number }>(
    "SELECT articles FROM stories WHERE id = $1",
    [id],
  );
  return row ? row.articles : null;
}
