/**
 * Stories SQL for reading: the listing (period, topic, source, sorted by recency, size or
 * growth, keyset-paginated), a story's articles in time order with their near-copy links,
 * its articles per day, and the texts its headline and summary are drawn from.
 */
import type { Queryable } from "./mod.ts";

/** How a listing is ordered. */
export type StorySort = "recent" | "size" | "growth";

/** A story as listed, before its headline and summary are drawn. */
export interface StoryRow {
  id: number;
  title: string;
  topic: string | null;
  articles: number;
  sources: number;
  firstSeen: string;
  lastSeen: string;
  /** Articles in the last growth window, and in the one before it. */
  recent: number;
  previous: number;
  /** The listing's sort key of this row (what a cursor resumes after). */
  key: number;
}

/** Where a page of the listing resumes: after the row with this sort key and id. */
export interface StoryAfter {
  key: number;
  id: number;
}

const SORT_KEY: Record<StorySort, string> = {
  recent: "extract(epoch FROM s.last_seen) * 1000",
  size: "s.articles",
  growth: "coalesce(g.recent, 0) - coalesce(g.previous, 0)",
};

/**
 * Stories active in [from, to) with at least `minArticles` articles, optionally of a topic
 * and with an article from a source, ordered by `sort` (descending, ties by id descending),
 * `limit` rows after `after`. Growth counts articles in [to − window, to) against the
 * window before; sorted by growth, only stories with articles in those two windows are
 * listed (a developing story has recent articles), so the work is bounded by them.
 */
export async function listStoryRows(
  db: Queryable,
  options: {
    from: string;
    to: string;
    windowMs: number;
    sort: StorySort;
    limit: number;
    minArticles: number;
    topic?: string | null;
    source?: string | null;
    after?: StoryAfter | null;
  },
): Promise<StoryRow[]> {
  const to = new Date(options.to).getTime();
  const mid = new Date(to - options.windowMs).toISOString();
  const start = new Date(to - 2 * options.windowMs).toISOString();
  const key = SORT_KEY[options.sort];
  const join = options.sort === "growth" ? "JOIN" : "LEFT JOIN";
  const rows = await db.query<{
    id: string | number;
    title: string;
    topic: string | null;
    articles: number;
    first_seen: Date;
    last_seen: Date;
    recent: number;
    previous: number;
    key: string | number;
    sources: number;
  }>(
    `WITH g AS (
       SELECT story_id, count(*) FILTER (WHERE published_at >= $5::timestamptz)::int AS recent,
              count(*) FILTER (WHERE published_at < $5::timestamptz)::int AS previous
         FROM article_stories
        WHERE published_at >= $6::timestamptz AND published_at < $2::timestamptz
        GROUP BY story_id
     ), page AS (
       SELECT s.id, s.title, s.topic, s.articles, s.first_seen, s.last_seen,
              coalesce(g.recent, 0) AS recent, coalesce(g.previous, 0) AS previous,
              (${key})::float8 AS key
         FROM stories s ${join} g ON g.story_id = s.id
        WHERE s.last_seen >= $1::timestamptz AND s.first_seen < $2::timestamptz
          AND s.articles >= $3
          AND ($7::text IS NULL OR s.topic = $7::text)
          AND ($8::text IS NULL OR EXISTS (
                SELECT 1 FROM article_stories x JOIN articles a ON a.id = x.article_id
                 WHERE x.story_id = s.id AND a.source = $8::text))
     )
     SELECT p.*, (SELECT count(DISTINCT a.source)::int
                    FROM article_stories x JOIN articles a ON a.id = x.article_id
                   WHERE x.story_id = p.id) AS sources
       FROM (SELECT * FROM page
              WHERE $9::float8 IS NULL OR key < $9::float8 OR (key = $9::float8 AND id < $10)
              ORDER BY key DESC, id DESC LIMIT $4) AS p
      ORDER BY p.key DESC, p.id DESC`,
    [
      options.from,
      options.to,
      options.minArticles,
      options.limit,
      mid,
      start,
      options.topic ?? null,
      options.source ?? null,
      options.after?.key ?? null,
      options.after?.id ?? 0,
    ],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    topic: r.topic,
    articles: r.articles,
    sources: r.sources,
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
    recent: r.recent,
    previous: r.previous,
    key: Number(r.key),
  }));
}

/** The latest publication time of any story's article (null: no stories). */
export async function latestStoryActivity(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ last: Date | null }>(
    "SELECT max(last_seen) AS last FROM stories",
  );
  return row?.last ? new Date(row.last).toISOString() : null;
}

/** An article of a story, with the text its headline and summary are drawn from. */
export interface StoryArticleRow {
  id: number;
  storyId: number;
  title: string;
  lead: string;
  source: string | null;
  url: string | null;
  publishedAt: string;
  duplicateOf: number | null;
  pinned: boolean;
}

/** Characters of each article's body read for a story's headline and summary. */
const LEAD_CHARS = 1500;

function articleRow(r: {
  id: string | number;
  story_id: string | number;
  title: string;
  lead: string;
  source: string | null;
  url: string | null;
  published_at: Date;
  duplicate_of: string | number | null;
  pinned: boolean;
}): StoryArticleRow {
  return {
    id: Number(r.id),
    storyId: Number(r.story_id),
    title: r.title,
    lead: r.lead,
    source: r.source,
    url: r.url,
    publishedAt: new Date(r.published_at).toISOString(),
    duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
    pinned: r.pinned,
  };
}

const ARTICLE_COLUMNS = `a.id, x.story_id, a.title, left(a.body, ${LEAD_CHARS}) AS lead, a.source,
  a.url, x.published_at, x.duplicate_of, x.pinned`;

/**
 * The first `perStory` articles (by publication time) of each of `ids` that copy no other
 * article: what the listing's headlines and summaries are drawn from.
 */
export async function storyLeads(
  db: Queryable,
  ids: number[],
  perStory: number,
): Promise<StoryArticleRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<Parameters<typeof articleRow>[0]>(
    `SELECT ${ARTICLE_COLUMNS}
       FROM unnest($1::bigint[]) AS q(id)
       CROSS JOIN LATERAL (
         SELECT * FROM article_stories s
          WHERE s.story_id = q.id AND s.duplicate_of IS NULL
          ORDER BY s.published_at, s.article_id LIMIT $2) AS x
       JOIN articles a ON a.id = x.article_id
      ORDER BY x.story_id, x.published_at, a.id`,
    [ids, perStory],
  );
  return rows.map(articleRow);
}

/** A story's articles in time order, at most `limit`. */
export async function storyArticles(
  db: Queryable,
  id: number,
  limit: number,
): Promise<StoryArticleRow[]> {
  const rows = await db.query<Parameters<typeof articleRow>[0]>(
    `SELECT ${ARTICLE_COLUMNS}
       FROM article_stories x JOIN articles a ON a.id = x.article_id
      WHERE x.story_id = $1 ORDER BY x.published_at, x.article_id LIMIT $2`,
    [id, limit],
  );
  return rows.map(articleRow);
}

/** A story's row, or null when there is none. */
export async function storyRow(db: Queryable, id: number): Promise<StoryRow | null> {
  const [r] = await db.query<{
    id: string | number;
    title: string;
    topic: string | null;
    articles: number;
    first_seen: Date;
    last_seen: Date;
    sources: number;
  }>(
    `SELECT s.id, s.title, s.topic, s.articles, s.first_seen, s.last_seen,
            (SELECT count(DISTINCT a.source)::int FROM article_stories x
               JOIN articles a ON a.id = x.article_id WHERE x.story_id = s.id) AS sources
       FROM stories s WHERE s.id = $1`,
    [id],
  );
  if (!r) return null;
  return {
    id: Number(r.id),
    title: r.title,
    topic: r.topic,
    articles: r.articles,
    sources: r.sources,
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
    recent: 0,
    previous: 0,
    key: 0,
  };
}

/** Articles of a story per UTC day (days without articles left out), oldest first. */
export async function storyDays(
  db: Queryable,
  id: number,
): Promise<Array<{ day: string; articles: number }>> {
  const rows = await db.query<{ day: string; n: number }>(
    `SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
       FROM article_stories WHERE story_id = $1 GROUP BY 1 ORDER BY 1`,
    [id],
  );
  return rows.map((r) => ({ day: r.day, articles: r.n }));
}

/** Distinct sources of each of `ids`, at most `perStory` each (alphabetical). */
export async function storySources(
  db: Queryable,
  ids: number[],
  perStory: number,
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.query<{ story_id: string | number; source: string }>(
    `SELECT DISTINCT x.story_id, a.source
       FROM article_stories x JOIN articles a ON a.id = x.article_id
      WHERE x.story_id = ANY($1::bigint[]) AND a.source IS NOT NULL ORDER BY 1, 2`,
    [ids],
  );
  for (const r of rows) {
    const list = out.get(Number(r.story_id))!;
    if (list.length < perStory) list.push(r.source);
  }
  return out;
}

/** Articles per UTC day of each of `ids` in [from, to), for the listing's small timelines. */
export async function storiesDays(
  db: Queryable,
  ids: number[],
  range: { from: string; to: string },
): Promise<Map<number, Array<{ day: string; articles: number }>>> {
  const out = new Map<number, Array<{ day: string; articles: number }>>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.query<{ story_id: string | number; day: string; n: number }>(
    `SELECT story_id, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
            count(*)::int AS n
       FROM article_stories
      WHERE story_id = ANY($1::bigint[]) AND published_at >= $2::timestamptz
        AND published_at < $3::timestamptz
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [ids, range.from, range.to],
  );
  for (const r of rows) out.get(Number(r.story_id))!.push({ day: r.day, articles: r.n });
  return out;
}
