/**
 * Story profiles SQL: each story's profile, the inverted index of its strongest terms
 * (`story_terms`) through which a new article finds its candidate stories, and the term
 * document frequencies that weigh rare terms above common ones.
 */
import type { Queryable } from "./mod.ts";
import { statementTurn } from "./statements.ts";

/** The empty term's count: how many articles the frequencies were counted over. */
const TOTAL = "";

/** How many grouped articles hold each of `terms`, and how many articles were counted. */
export async function termFrequencies(
  db: Queryable,
  terms: string[],
): Promise<{ total: number; df: Map<string, number> }> {
  const rows = await db.query<{ term: string; df: string | number }>(
    "SELECT term, df FROM story_term_df WHERE term = ANY($1::text[])",
    [[TOTAL, ...terms]],
  );
  const df = new Map(rows.map((r) => [r.term, Number(r.df)]));
  const total = df.get(TOTAL) ?? 0;
  df.delete(TOTAL);
  return { total, df };
}

/**
 * Term frequencies upserted per statement at most (each statement holds the embedded
 * database), with turns of the event loop between them (db/statements.ts).
 */
const COUNT_CHUNK = 1000;

/**
 * Adds articles' terms to the frequencies: `counts` maps a term to how many new articles hold
 * it, `articles` is how many were counted. Rows are written in term order, in statements of
 * `COUNT_CHUNK` terms, so concurrent batches wait for each other instead of deadlocking.
 */
export async function countTerms(
  db: Queryable,
  counts: Map<string, number>,
  articles: number,
): Promise<void> {
  if (articles === 0) return;
  const [terms, ns] = sortedCounts(counts, articles);
  for (let from = 0; from < terms.length; from += COUNT_CHUNK) {
    if (terms.length > COUNT_CHUNK) await statementTurn();
    await db.query(
      `INSERT INTO story_term_df (term, df)
       SELECT t, n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(t, n, i) ORDER BY i
       ON CONFLICT (term) DO UPDATE SET df = story_term_df.df + excluded.df`,
      [terms.slice(from, from + COUNT_CHUNK), ns.slice(from, from + COUNT_CHUNK)],
    );
  }
}

/** Terms and counts, the articles' total first, in term order (rows locked in that order). */
function sortedCounts(counts: Map<string, number>, articles: number): [string[], number[]] {
  const rows = [[TOTAL, articles] as const, ...counts].sort((a, b) => a[0] < b[0] ? -1 : 1);
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

/** A story found through the index for one article of a batch. */
export interface CandidateStory {
  id: number;
  hits: number;
}

/** What a batch's lookup finds: the frequencies of its terms, each article's candidates. */
export interface StoryLookup {
  /** How many articles the frequencies were counted over. */
  total: number;
  df: Map<string, number>;
  /** Per article (batch order): its strongest terms, whose postings were read. */
  queried: string[][];
  /** Per article: the stories sharing the most of those terms, most hits first. */
  candidates: CandidateStory[][];
  /** The stored profile of every candidate story. */
  profiles: Map<number, string | null>;
}

/**
 * One round trip for a batch of new articles: the frequencies of their terms (and how many
 * articles were counted) and, per article, the stories indexed under its `queryTerms`
 * strongest terms (weight × rarity, the rarity of ml/story_profile.ts `idf()`): per term at
 * most `perTerm` postings, the most recently active (an index range scan per distinct term),
 * then the `max` stories sharing the most terms, with their profiles (each once). Cost is
 * linear in the batch and bounded by the caps, never by how many stories are stored.
 */
export async function lookUpStories(
  db: Queryable,
  options: {
    articles: Array<{ terms: string[]; weights: number[] }>;
    queryTerms: number;
    perTerm: number;
    max: number;
  },
): Promise<StoryLookup> {
  const n = options.articles.length;
  const rows = options.articles.flatMap((a, i) =>
    a.terms.map((t, k) => ({ i, t, w: a.weights[k] }))
  );
  const [row] = await db.query<{
    total: string | number;
    df: Array<[string, number]> | string | null;
    queried: Array<[number, string]> | string | null;
    picks: Array<[number, number, number]> | string | null;
    profiles: Array<[number, string | null]> | string | null;
  }>(
    `WITH q AS MATERIALIZED (SELECT i, t, w FROM jsonb_to_recordset($1::text::jsonb) AS u(i int, t text, w float8)),
     tot AS (SELECT coalesce((SELECT df FROM story_term_df WHERE term = ''), 0)::float8 AS n),
     d AS MATERIALIZED (SELECT term, df FROM story_term_df
                          WHERE term = ANY(ARRAY(SELECT DISTINCT t FROM q))),
     ranked AS (SELECT q.i, q.t, row_number() OVER (PARTITION BY q.i
                  ORDER BY q.w * (ln((tot.n + 1) / (least(coalesce(d.df, 0), tot.n) + 1)) + 1) DESC, q.t) AS r
                  FROM q CROSS JOIN tot LEFT JOIN d ON d.term = q.t),
     top AS MATERIALIZED (SELECT i, t FROM ranked WHERE r <= $2),
     post AS MATERIALIZED (SELECT tt.t, pt.story_id FROM (SELECT DISTINCT t FROM top) AS tt
              CROSS JOIN LATERAL (SELECT st.story_id FROM story_terms st WHERE st.term = tt.t
                                   ORDER BY st.last_seen DESC LIMIT $3) AS pt),
     hits AS (SELECT top.i, post.story_id, count(*)::int AS hits,
                     row_number() OVER (PARTITION BY top.i ORDER BY count(*) DESC, post.story_id DESC) AS r
                FROM top JOIN post ON post.t = top.t GROUP BY top.i, post.story_id),
     picks AS MATERIALIZED (SELECT i, story_id, hits FROM hits WHERE r <= $4)
     SELECT (SELECT n FROM tot)::bigint AS total,
            (SELECT json_agg(json_build_array(term, df)) FROM d WHERE df > 0) AS df,
            (SELECT json_agg(json_build_array(i, t)) FROM top) AS queried,
            (SELECT json_agg(json_build_array(i, story_id, hits)) FROM picks) AS picks,
            (SELECT json_agg(json_build_array(s.id, s.profile)) FROM stories s
              WHERE s.id = ANY(ARRAY(SELECT DISTINCT story_id FROM picks))) AS profiles`,
    [JSON.stringify(rows), options.queryTerms, options.perTerm, options.max],
  );
  const parse = <T>(v: T | string | null): T | null => typeof v === "string" ? JSON.parse(v) : v;
  const queried: string[][] = Array.from({ length: n }, () => []);
  for (const [i, t] of parse(row.queried) ?? []) queried[i].push(t);
  const candidates: CandidateStory[][] = Array.from({ length: n }, () => []);
  for (const [i, id, hits] of parse(row.picks) ?? []) candidates[i].push({ id: Number(id), hits });
  for (const list of candidates) list.sort((a, b) => b.hits - a.hits || b.id - a.id);
  return {
    total: Number(row.total),
    df: new Map((parse(row.df) ?? []).map(([t, c]) => [t, Number(c)])),
    queried,
    candidates,
    profiles: new Map((parse(row.profiles) ?? []).map(([id, p]) => [Number(id), p])),
  };
}

/** Stories' stored profiles (a story that does not exist is left out). */
export async function storyProfiles(
  db: Queryable,
  ids: number[],
): Promise<Map<number, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string | number; profile: string | null }>(
    "SELECT id, profile FROM stories WHERE id = ANY($1::bigint[])",
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.profile]));
}

/**
 * Stories' stored profiles, locked for update in the caller's transaction in id order (so
 * concurrent writers never deadlock); a story that does not exist is left out.
 */
export async function lockStoryProfiles(
  db: Queryable,
  ids: number[],
): Promise<Map<number, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string | number; profile: string | null }>(
    "SELECT id, profile FROM stories WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.profile]));
}

/** Creates a story (no articles counted yet) and returns its id. */
export async function insertStory(
  db: Queryable,
  row: { title: string; at: string; topic: string | null },
): Promise<number> {
  const [r] = await db.query<{ id: string | number }>(
    `INSERT INTO stories (title, first_seen, last_seen, articles, topic)
     VALUES ($1, $2, $2, 0, $3) RETURNING id`,
    [row.title, row.at, row.topic],
  );
  return Number(r.id);
}

/**
 * Stores a story's profile and re-indexes it under `terms` (its strongest), each posting
 * dated `lastSeen`, so lookups prefer recently active stories.
 */
export async function saveStoryProfile(
  db: Queryable,
  story: { id: number; profile: string; terms: string[]; lastSeen: string },
): Promise<void> {
  await db.query("UPDATE stories SET profile = $2 WHERE id = $1", [story.id, story.profile]);
  await db.query(
    "DELETE FROM story_terms WHERE story_id = $1 AND NOT (term = ANY($2::text[]))",
    [story.id, story.terms],
  );
  if (story.terms.length === 0) return;
  await db.query(
    `INSERT INTO story_terms (term, story_id, last_seen)
     SELECT DISTINCT unnest($1::text[]), $2::bigint, $3::timestamptz
     ON CONFLICT (term, story_id) DO UPDATE SET last_seen = greatest(story_terms.last_seen, excluded.last_seen)`,
    [story.terms, story.id, story.lastSeen],
  );
}

/**
 * A story a batch wrote to: a new one (`key` < 0, `id` null) or a stored one (`key` = its id),
 * with what the batch's articles added.
 */
export interface StoryWrite {
  key: number;
  id: number | null;
  /** Title and topic of a new story; a stored one keeps its own unless it has none. */
  title: string;
  topic: string | null;
  /** Articles added, and their earliest and latest publication times. */
  articles: number;
  firstSeen: string;
  lastSeen: string;
  profile: string;
  /** Its strongest terms, indexed with `lastSeen` (the story's last activity). */
  terms: string[];
  /**
   * The profile the new one was computed from: a stored story is written only if it still
   * holds it (else it is left out of what the write returns; the caller recomputes it under
   * a lock). Undefined: written whatever it holds.
   */
  expected?: string | null;
}

/** An article placed in a story of the same write (by the story's key). */
export interface ArticlePlacement {
  articleId: number;
  story: number;
  publishedAt: string;
  minhash: string | null;
  /** Its MinHash band keys, which later near copies find it by. */
  keys: number[];
  duplicateOf: number | null;
}

/**
 * Writes a batch's story assignments in one statement: new stories created, stored ones
 * moved (count, span, profile; only those still holding `expected`), their index entries
 * replaced, the articles' stories and band keys stored. Articles of a stored story left
 * unwritten are left out too. Returns the keys of the stories written.
 */
export async function placeInStories(
  db: Queryable,
  write: {
    stories: StoryWrite[];
    articles: ArticlePlacement[];
  },
): Promise<Set<number>> {
  const stories = [...write.stories].sort((a, b) => a.key - b.key);
  const fresh = stories.filter((s) => s.id === null).map((s) => ({
    key: s.key,
    title: s.title,
    topic: s.topic,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    articles: s.articles,
    profile: s.profile,
  }));
  const moved = stories.filter((s) => s.id !== null).map((s) => ({
    id: s.id,
    title: s.title,
    topic: s.topic,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    articles: s.articles,
    profile: s.profile,
    checked: s.expected !== undefined,
    expected: s.expected ?? null,
  }));
  const terms = stories.flatMap((s) =>
    [...new Set(s.terms)].map((term) => ({ key: s.key, term, last_seen: s.lastSeen }))
  );
  const articles = write.articles.map((a) => ({
    article_id: a.articleId,
    key: a.story,
    published_at: a.publishedAt,
    minhash: a.minhash,
    duplicate_of: a.duplicateOf,
  }));
  const bands = write.articles.flatMap((a) =>
    [...new Set(a.keys)].map((band) => ({
      band,
      published_at: a.publishedAt,
      article_id: a.articleId,
      key: a.story,
    }))
  );
  // `= ANY(array)` beside each join: the embedded database keeps no statistics, and without
  // it the planner may read a whole table (stories, story_terms) to join a handful of rows.
  const rows = await db.query<{ key: string | number }>(
    `WITH n AS MATERIALIZED (
       SELECT u.key, nextval(pg_get_serial_sequence('stories', 'id')) AS id, u.title, u.topic,
              u.first_seen, u.last_seen, u.articles, u.profile
         FROM jsonb_to_recordset($1::text::jsonb) AS u(key bigint, title text, topic text,
              first_seen timestamptz, last_seen timestamptz, articles int, profile text)
        ORDER BY u.key DESC),
     ins AS (INSERT INTO stories (id, title, first_seen, last_seen, articles, topic, profile)
             OVERRIDING SYSTEM VALUE
             SELECT id, title, first_seen, last_seen, articles, topic, profile FROM n),
     upd AS (UPDATE stories s SET profile = u.profile, articles = s.articles + u.articles,
                    first_seen = least(s.first_seen, u.first_seen),
                    last_seen = greatest(s.last_seen, u.last_seen),
                    topic = coalesce(s.topic, u.topic), title = coalesce(s.title, u.title)
               FROM jsonb_to_recordset($2::text::jsonb) AS u(id bigint, title text, topic text,
                    first_seen timestamptz, last_seen timestamptz, articles int, profile text,
                    checked boolean, expected text)
              WHERE s.id = ANY($6::bigint[]) AND s.id = u.id
                AND (NOT u.checked OR s.profile IS NOT DISTINCT FROM u.expected)
             RETURNING s.id),
     k AS (SELECT key, id FROM n UNION ALL SELECT id AS key, id FROM upd),
     t AS MATERIALIZED (SELECT u.key, u.term, u.last_seen
             FROM jsonb_to_recordset($3::text::jsonb) AS u(key bigint, term text, last_seen timestamptz)),
     td AS (DELETE FROM story_terms st USING k
             WHERE st.story_id = ANY(ARRAY(SELECT id FROM k)) AND st.story_id = k.id
               AND NOT EXISTS (SELECT 1 FROM t WHERE t.key = k.key AND t.term = st.term)),
     ti AS (INSERT INTO story_terms (term, story_id, last_seen)
            SELECT t.term, k.id, t.last_seen FROM t JOIN k ON k.key = t.key
            ON CONFLICT (term, story_id)
            DO UPDATE SET last_seen = greatest(story_terms.last_seen, excluded.last_seen)),
     a AS (INSERT INTO article_stories (article_id, story_id, published_at, minhash, duplicate_of)
           SELECT u.article_id, k.id, u.published_at, u.minhash, u.duplicate_of
             FROM jsonb_to_recordset($4::text::jsonb) AS u(article_id bigint, key bigint,
                  published_at timestamptz, minhash text, duplicate_of bigint)
             JOIN k ON k.key = u.key),
     b AS (INSERT INTO story_bands (band_key, published_at, article_id)
           SELECT u.band, u.published_at, u.article_id
             FROM jsonb_to_recordset($5::text::jsonb) AS u(band bigint, published_at timestamptz,
                  article_id bigint, key bigint)
             JOIN k ON k.key = u.key)
     SELECT key FROM k`,
    [
      JSON.stringify(fresh),
      JSON.stringify(moved),
      JSON.stringify(terms),
      JSON.stringify(articles),
      JSON.stringify(bands),
      moved.map((m) => m.id),
    ],
  );
  return new Set(rows.map((r) => Number(r.key)));
}
