/**
 * Story profiles SQL: each story's profile, the inverted index of its strongest terms
 * (`story_terms`) through which a new article finds its candidate stories, and the term
 * document frequencies that weigh rare terms above common ones.
 */
import type { Queryable } from "./mod.ts";

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
 * Adds articles' terms to the frequencies: `counts` maps a term to how many new articles hold
 * it, `articles` is how many were counted. Rows are written in term order, so concurrent
 * batches wait for each other instead of deadlocking.
 */
export async function countTerms(
  db: Queryable,
  counts: Map<string, number>,
  articles: number,
): Promise<void> {
  if (articles === 0) return;
  await db.query(
    `INSERT INTO story_term_df (term, df)
     SELECT t, n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(t, n, i) ORDER BY i
     ON CONFLICT (term) DO UPDATE SET df = story_term_df.df + excluded.df`,
    sortedCounts(counts, articles),
  );
}

/** Terms and counts, the articles' total first, in term order (rows locked in that order). */
function sortedCounts(counts: Map<string, number>, articles: number): [string[], number[]] {
  const rows = [[TOTAL, articles] as const, ...counts].sort((a, b) => a[0] < b[0] ? -1 : 1);
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

/** A story found through the index, with its stored profile. */
export interface CandidateStory {
  id: number;
  profile: string | null;
  hits: number;
}

/** What an article's lookup finds: its terms' frequencies and the candidate stories. */
export interface StoryLookup {
  total: number;
  df: Map<string, number>;
  candidates: CandidateStory[];
}

/**
 * One round trip for a new article: the frequencies of its `terms` (and how many articles
 * were counted), and the stories indexed under its `queryTerms` strongest terms (weight ×
 * rarity, the rarity of ml/story_profile.ts `idf()`): per term at most `perTerm` postings,
 * the most recently active (an index range scan each), then the `max` stories sharing the
 * most terms. Cost depends on the caps, never on how many stories are stored.
 */
export async function lookUpStories(
  db: Queryable,
  options: {
    terms: string[];
    weights: number[];
    queryTerms: number;
    perTerm: number;
    max: number;
  },
): Promise<StoryLookup> {
  const [row] = await db.query<{
    total: string | number;
    df: Array<[string, number]> | string | null;
    candidates: Array<[number, string | null, number]> | string | null;
  }>(
    `WITH q AS (SELECT t, w FROM unnest($1::text[], $2::float8[]) AS u(t, w)),
     tot AS (SELECT coalesce((SELECT df FROM story_term_df WHERE term = ''), 0)::float8 AS n),
     f AS (SELECT q.t, q.w, coalesce(d.df, 0)::float8 AS df
             FROM q LEFT JOIN story_term_df d ON d.term = q.t),
     top AS (SELECT f.t FROM f, tot
              ORDER BY f.w * (ln((tot.n + 1) / (least(f.df, tot.n) + 1)) + 1) DESC, f.t
              LIMIT $3),
     p AS (SELECT pt.story_id, count(*)::int AS hits
             FROM top CROSS JOIN LATERAL (
               SELECT st.story_id FROM story_terms st WHERE st.term = top.t
                ORDER BY st.last_seen DESC LIMIT $4
             ) AS pt
            GROUP BY pt.story_id ORDER BY count(*) DESC, pt.story_id DESC LIMIT $5)
     SELECT (SELECT n FROM tot)::bigint AS total,
            (SELECT json_agg(json_build_array(t, df)) FROM f WHERE df > 0) AS df,
            (SELECT json_agg(json_build_array(s.id, s.profile, p.hits))
               FROM p JOIN stories s ON s.id = p.story_id) AS candidates`,
    [options.terms, options.weights, options.queryTerms, options.perTerm, options.max],
  );
  const parse = <T>(v: T | string | null): T | null => typeof v === "string" ? JSON.parse(v) : v;
  return {
    total: Number(row.total),
    df: new Map((parse(row.df) ?? []).map(([t, n]) => [t, Number(n)])),
    candidates: (parse(row.candidates) ?? []).map(([id, profile, hits]) => ({
      id: Number(id),
      profile,
      hits,
    })),
  };
}

/** A story's stored profile, read without a lock (null: no such story). */
export async function storyProfile(
  db: Queryable,
  id: number,
): Promise<{ profile: string | null } | null> {
  const [row] = await db.query<{ profile: string | null }>(
    "SELECT profile FROM stories WHERE id = $1",
    [id],
  );
  return row ?? null;
}

/** A story's stored profile, locked for update in the caller's transaction (null: none). */
export async function lockStoryProfile(
  db: Queryable,
  id: number,
): Promise<{ profile: string | null } | null> {
  const [row] = await db.query<{ profile: string | null }>(
    "SELECT profile FROM stories WHERE id = $1 FOR UPDATE",
    [id],
  );
  return row ?? null;
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

/** An article placed in a story, with the story's new profile and index terms. */
export interface StoryPlacement {
  /** The story it joins; null starts a new one (with `title` and `topic`). */
  storyId: number | null;
  title: string;
  topic: string | null;
  articleId: number;
  publishedAt: string;
  minhash: string | null;
  /** Its MinHash band keys, which later near copies find it by. */
  keys: number[];
  duplicateOf: number | null;
  profile: string;
  terms: string[];
  /** The story's last activity after this article, which its index entries carry. */
  lastSeen: string;
  /**
   * The profile the new one was computed from: the story is updated only if it still holds
   * it (else nothing is written and null returned; the caller recomputes under a lock).
   */
  expected?: string | null;
  /** Term frequencies to add with it (a batch of one article counts them here). */
  counts?: Map<string, number>;
}

/**
 * Places an article in a story in one statement: the story created or its count, span and
 * profile moved (if it still holds `expected`), its index entries replaced, the article's
 * story and band keys stored, the term frequencies counted. Returns the story's id, or null
 * when the story's profile had changed meanwhile and nothing was written.
 */
export async function placeInStory(db: Queryable, p: StoryPlacement): Promise<number | null> {
  const counts = p.counts ? sortedCounts(p.counts, 1) : [[], []];
  const story = p.storyId === null
    ? `INSERT INTO stories (title, first_seen, last_seen, articles, topic, profile)
       SELECT $1::text, $4::timestamptz, $4::timestamptz, 1, $2::text, $8
        WHERE $11::bigint = 0 AND ($12::boolean OR $13::text IS NULL) RETURNING id`
    : `UPDATE stories SET profile = $8, articles = articles + 1,
              first_seen = least(first_seen, $4::timestamptz),
              last_seen = greatest(last_seen, $4::timestamptz),
              topic = coalesce(topic, $2::text), title = coalesce(title, $1::text)
        WHERE id = $11 AND ($12::boolean OR profile IS NOT DISTINCT FROM $13::text) RETURNING id`;
  const [row] = await db.query<{ id: string | number }>(
    `WITH s AS (${story}),
     d AS (DELETE FROM story_terms WHERE story_id = (SELECT id FROM s)
             AND NOT (term = ANY($9::text[]))),
     t AS (INSERT INTO story_terms (term, story_id, last_seen)
           SELECT DISTINCT unnest($9::text[]), s.id, $10::timestamptz FROM s
           ON CONFLICT (term, story_id)
           DO UPDATE SET last_seen = greatest(story_terms.last_seen, excluded.last_seen)),
     a AS (INSERT INTO article_stories (article_id, story_id, published_at, minhash, duplicate_of)
           SELECT $3, id, $4::timestamptz, $5, $7 FROM s),
     b AS (INSERT INTO story_bands (band_key, published_at, article_id)
           SELECT unnest($6::bigint[]), $4::timestamptz, $3 FROM s),
     c AS (INSERT INTO story_term_df (term, df)
           SELECT u.t, u.n FROM unnest($14::text[], $15::bigint[]) WITH ORDINALITY AS u(t, n, i)
            WHERE EXISTS (SELECT 1 FROM s) ORDER BY u.i
           ON CONFLICT (term) DO UPDATE SET df = story_term_df.df + excluded.df)
     SELECT id FROM s`,
    [
      p.title,
      p.topic,
      p.articleId,
      p.publishedAt,
      p.minhash,
      p.keys,
      p.duplicateOf,
      p.profile,
      p.terms,
      p.lastSeen,
      p.storyId ?? 0,
      p.expected === undefined,
      p.expected ?? null,
      counts[0],
      counts[1],
    ],
  );
  return row ? Number(row.id) : null;
}
