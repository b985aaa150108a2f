/**
 * Stories SQL: groups of articles about one event, the backfill of older articles, and the
 * reads of the stories API and the article page.
 */
import type { Queryable } from "./mod.ts";

/** An article that has no story yet (stored before stories were kept). */
export interface UngroupedArticle {
  id: number;
  title: string;
  body: string;
  publishedAt: string;
}

/**
 * The next batch of older articles to group, inside the caller's transaction: up to `limit`
 * articles without a story after where the backfill reached (locked, so two processes
 * never group the same batch), and that position; null when nothing is left to do.
 */
export async function nextUngrouped(
  tx: Queryable,
  limit: number,
): Promise<{ articles: UngroupedArticle[]; lastId: number; scanned: number } | null> {
  const [mark] = await tx.query<{ after_id: string | number }>(
    "SELECT after_id FROM stories_backfill FOR UPDATE",
  );
  if (!mark) return null;
  // Ids scanned, with or without a story (one ingested meanwhile has one): the position
  // moves past all of them, so each batch reads `limit` ids at most.
  const rows = await tx.query<
    { id: number; title: string; body: string; published_at: Date; grouped: boolean }
  >(
    `SELECT a.id, a.title, left(a.body, 2000) AS body, a.published_at,
            EXISTS (SELECT 1 FROM article_stories s WHERE s.article_id = a.id) AS grouped
       FROM articles a WHERE a.id > $1 ORDER BY a.id LIMIT $2`,
    [Number(mark.after_id), limit],
  );
  return {
    lastId: rows.length ? Number(rows[rows.length - 1].id) : Number(mark.after_id),
    scanned: rows.length,
    articles: rows.filter((r) => !r.grouped).map((r) => ({
      id: Number(r.id),
      title: r.title,
      body: r.body,
      publishedAt: new Date(r.published_at).toISOString(),
    })),
  };
}

/** Records how far the backfill got; `done` ends it. */
export async function markGrouped(tx: Queryable, lastId: number, done: boolean): Promise<void> {
  if (done) await tx.query("DELETE FROM stories_backfill");
  else await tx.query("UPDATE stories_backfill SET after_id = $1", [lastId]);
}

/**
 * Forgets every story assignment except those a reviewer made (pinned), and the stories
 * left without articles, and starts the backfill from the first article (a rebuild), in the
 * caller's transaction. Returns the ids of the stories kept, whose counts are set from their
 * pinned articles and whose profiles the caller rebuilds.
 */
export async function clearStories(db: Queryable): Promise<number[]> {
  await db.query(
    `DELETE FROM story_bands b WHERE NOT EXISTS (
       SELECT 1 FROM article_stories x WHERE x.article_id = b.article_id AND x.pinned)`,
  );
  await db.query("DELETE FROM article_stories WHERE NOT pinned");
  await db.query(
    `DELETE FROM stories s WHERE NOT EXISTS (SELECT 1 FROM article_stories x WHERE x.story_id = s.id)`,
  );
  const kept = await db.query<{ id: string | number }>(
    `UPDATE stories s SET articles = d.n, first_seen = d.first, last_seen = d.last
       FROM (SELECT story_id, count(*)::int AS n, min(published_at) AS first,
                    max(published_at) AS last
               FROM article_stories GROUP BY story_id) AS d
      WHERE s.id = d.story_id RETURNING s.id`,
  );
  await db.query("DELETE FROM story_term_df");
  await db.query("DELETE FROM stories_backfill");
  await db.query("INSERT INTO stories_backfill (after_id) VALUES (0)");
  return kept.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** How far the backfill has to go: the highest article id and where it stands (null: done). */
export async function backfillPosition(
  db: Queryable,
): Promise<{ afterId: number; maxId: number } | null> {
  const [row] = await db.query<{ after_id: string | number; max_id: string | number | null }>(
    "SELECT after_id, (SELECT max(id) FROM articles) AS max_id FROM stories_backfill",
  );
  return row ? { afterId: Number(row.after_id), maxId: Number(row.max_id ?? 0) } : null;
}

/** A story as listed: its size, span, sources and representative title. */
export interface StorySummary {
  id: number;
  title: string;
  articles: number;
  firstSeen: string;
  lastSeen: string;
  sources: string[];
}

/** Sources listed per story at most. */
const MAX_SOURCES = 20;

async function withSources(
  db: Queryable,
  rows: Array<
    { id: number | string; title: string; articles: number; first_seen: Date; last_seen: Date }
  >,
): Promise<StorySummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const sources = await db.query<{ story_id: number | string; source: string }>(
    `SELECT DISTINCT s.story_id, a.source
       FROM article_stories s JOIN articles a ON a.id = s.article_id
      WHERE s.story_id = ANY($1::bigint[]) AND a.source IS NOT NULL ORDER BY 1, 2`,
    [ids],
  );
  const byStory = new Map<number, string[]>();
  for (const s of sources) {
    const list = byStory.get(Number(s.story_id)) ?? [];
    if (list.length < MAX_SOURCES) list.push(s.source);
    byStory.set(Number(s.story_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    articles: r.articles,
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
    sources: byStory.get(Number(r.id)) ?? [],
  }));
}

/**
 * The largest stories last seen in [from, to) with at least `minArticles` articles,
 * largest first (ties: latest first), at most `limit`.
 */
export async function listStories(
  db: Queryable,
  options: { from: string; to: string; limit: number; minArticles: number },
): Promise<StorySummary[]> {
  const rows = await db.query<
    { id: number; title: string; articles: number; first_seen: Date; last_seen: Date }
  >(
    `SELECT id, title, articles, first_seen, last_seen FROM stories
      WHERE last_seen >= $1::timestamptz AND last_seen < $2::timestamptz AND articles >= $3
      ORDER BY articles DESC, last_seen DESC, id DESC LIMIT $4`,
    [options.from, options.to, options.minArticles, options.limit],
  );
  return await withSources(db, rows);
}

/** One article of a story. */
export interface StoryArticle {
  id: number;
  title: string;
  source: string | null;
  url: string | null;
  publishedAt: string;
}

/** A story with its first `limit` articles by publication time, or null when there is none. */
export async function getStory(
  db: Queryable,
  id: number,
  limit: number,
): Promise<(StorySummary & { items: StoryArticle[] }) | null> {
  const rows = await db.query<
    { id: number; title: string; articles: number; first_seen: Date; last_seen: Date }
  >(
    "SELECT id, title, articles, first_seen, last_seen FROM stories WHERE id = $1",
    [id],
  );
  if (rows.length === 0) return null;
  const [summary] = await withSources(db, rows);
  const items = await db.query<
    { id: number; title: string; source: string | null; url: string | null; published_at: Date }
  >(
    `SELECT a.id, a.title, a.source, a.url, a.published_at
       FROM article_stories s JOIN articles a ON a.id = s.article_id
      WHERE s.story_id = $1 ORDER BY s.published_at, s.article_id LIMIT $2`,
    [id, limit],
  );
  return {
    ...summary,
    items: items.map((a) => ({
      id: Number(a.id),
      title: a.title,
      source: a.source,
      url: a.url,
      publishedAt: new Date(a.published_at).toISOString(),
    })),
  };
}
