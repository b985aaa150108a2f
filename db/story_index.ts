/**
 * Story profiles SQL: each story's profile, the inverted index of its strongest terms
 * (`story_terms`) through which a new article finds its candidate stories, and the term
 * document frequencies that weigh rare terms above common ones.
 */
import type { Queryable } from "./mod.ts";

/** The empty term's count: how many articles the frequencies were counted over. */
export const TOTAL_TERM = "";

/** How many grouped articles hold each of `terms`, and how many articles were counted. */
export async function termFrequencies(
  db: Queryable,
  terms: string[],
): Promise<{ total: number; df: Map<string, number> }> {
  const rows = await db.query<{ term: string; df: string | number }>(
    "SELECT term, df FROM story_term_df WHERE term = ANY($1::text[])",
    [[TOTAL_TERM, ...terms]],
  );
  const df = new Map(rows.map((r) => [r.term, Number(r.df)]));
  const total = df.get(TOTAL_TERM) ?? 0;
  df.delete(TOTAL_TERM);
  return { total, df };
}

/** A story found through the index for one article of a batch. */
export interface CandidateStory {
  id: number;
  hits: number;
}

/** A stored article sharing a MinHash band key with one of a batch's new articles. */
export interface StoredCopy {
  /** The new article's position in the batch. */
  article: number;
  articleId: number;
  storyId: number;
  minhash: string;
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
  /** The stored articles sharing a band key with an article of the batch (near copies?). */
  copies: StoredCopy[];
}

/** One article of a batch as its lookup reads it. */
export interface LookupArticle {
  /** Its features and their weights (before rarity). */
  terms: string[];
  weights: number[];
  /** Stories last active before this (ISO 8601) cannot take it. */
  from: string;
  /** Its MinHash band keys, and the window [copiesFrom, copiesTo) of its near copies. */
  bands: number[];
  copiesFrom: string;
  copiesTo: string;
}

/**
 * One statement for a batch of new articles: the frequencies of their terms (and how many
 * articles were counted); per article, the stories indexed under its `queryTerms` strongest
 * terms (weight × rarity, the rarity of ml/story_profile.ts `idf()`) and active since its
 * `from`: per term at most `perTerm` postings, the most recently active (an index-only range
 * scan per distinct term, migration 0026), then the `max` stories sharing the most terms,
 * with their profiles (each once); and the stored articles that share one of its band keys
 * within its window, at most `perKey` a key, the newest (an index range scan per key). Cost
 * is linear in the batch and bounded by the caps, never by how many stories are stored.
 */
export async function lookUpStories(
  db: Queryable,
  options: {
    articles: LookupArticle[];
    queryTerms: number;
    perTerm: number;
    max: number;
    perKey: number;
  },
): Promise<StoryLookup> {
  const n = options.articles.length;
  // Arrays, not JSON rows: the server parses them at bind time, and each article's window
  // is sent once, not once per term (parsing 120 timestamps was a tenth of the lookup).
  const terms = { i: [] as number[], t: [] as string[], w: [] as number[] };
  const keys = { i: [] as number[], key: [] as number[] };
  options.articles.forEach((a, i) => {
    a.terms.forEach((t, k) => {
      terms.i.push(i + 1);
      terms.t.push(t);
      terms.w.push(a.weights[k]);
    });
    for (const key of new Set(a.bands)) {
      keys.i.push(i + 1);
      keys.key.push(key);
    }
  });
  const [row] = await db.query<{
    total: string | number;
    df: Array<[string, number]> | string | null;
    queried: Array<[number, string]> | string | null;
    picks: Array<[number, number, number]> | string | null;
    profiles: string | null;
    copies: Array<[number, number, number, string]> | string | null;
  }>(
    `WITH q AS MATERIALIZED (SELECT u.i - 1 AS i, u.t, u.w, ($4::timestamptz[])[u.i] AS lo
                               FROM unnest($1::int[], $2::text[], $3::float8[]) AS u(i, t, w)),
     tot AS (SELECT coalesce((SELECT df FROM story_term_df WHERE term = ''), 0)::float8 AS n),
     d AS MATERIALIZED (SELECT term, df FROM story_term_df
                          WHERE term = ANY(ARRAY(SELECT DISTINCT t FROM q))),
     ranked AS (SELECT q.i, q.t, q.lo, row_number() OVER (PARTITION BY q.i
                  ORDER BY q.w * (ln((tot.n + 1) / (least(coalesce(d.df, 0), tot.n) + 1)) + 1) DESC, q.t) AS r
                  FROM q CROSS JOIN tot LEFT JOIN d ON d.term = q.t),
     top AS MATERIALIZED (SELECT i, t, lo FROM ranked WHERE r <= $5),
     post AS MATERIALIZED (SELECT tt.t, pt.story_id, pt.last_seen
              FROM (SELECT t, min(lo) AS lo FROM top GROUP BY t) AS tt
              CROSS JOIN LATERAL (SELECT st.story_id, st.last_seen FROM story_terms st
                                   WHERE st.term = tt.t AND st.last_seen >= tt.lo
                                   ORDER BY st.last_seen DESC LIMIT $6) AS pt),
     hits AS (SELECT top.i, post.story_id, count(*)::int AS hits,
                     row_number() OVER (PARTITION BY top.i ORDER BY count(*) DESC, post.story_id DESC) AS r
                FROM top JOIN post ON post.t = top.t AND post.last_seen >= top.lo
               GROUP BY top.i, post.story_id),
     picks AS MATERIALIZED (SELECT i, story_id, hits FROM hits WHERE r <= $7),
     copies AS MATERIALIZED (
       SELECT DISTINCT k.i, b.article_id, a.story_id, a.minhash
         FROM (SELECT u.i - 1 AS i, u.key, ($10::timestamptz[])[u.i] AS lo,
                      ($11::timestamptz[])[u.i] AS hi
                 FROM unnest($8::int[], $9::bigint[]) AS u(i, key)) AS k
         CROSS JOIN LATERAL (
           SELECT sb.article_id FROM story_bands sb
            WHERE sb.band_key = k.key AND sb.published_at >= k.lo AND sb.published_at < k.hi
            ORDER BY sb.published_at DESC LIMIT $12) AS b
         JOIN article_stories a ON a.article_id = b.article_id
        WHERE a.minhash IS NOT NULL)
     SELECT (SELECT n FROM tot)::bigint AS total,
            (SELECT json_agg(json_build_array(term, df)) FROM d WHERE df > 0) AS df,
            (SELECT json_agg(json_build_array(i, t)) FROM top) AS queried,
            (SELECT json_agg(json_build_array(i, story_id, hits)) FROM picks) AS picks,
            (SELECT string_agg(s.id::text || coalesce(E'\t' || s.profile, ''), E'\x1e') FROM stories s
              WHERE s.id = ANY(ARRAY(SELECT DISTINCT story_id FROM picks))) AS profiles,
            (SELECT json_agg(json_build_array(i, article_id, story_id, minhash)) FROM copies) AS copies`,
    [
      terms.i,
      terms.t,
      terms.w,
      options.articles.map((a) => a.from),
      options.queryTerms,
      options.perTerm,
      options.max,
      keys.i,
      keys.key,
      options.articles.map((a) => a.copiesFrom),
      options.articles.map((a) => a.copiesTo),
      options.perKey,
    ],
    { prepare: true },
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
    profiles: profilesOf(row.profiles),
    copies: (parse(row.copies) ?? []).map(([i, articleId, storyId, minhash]) => ({
      article: i,
      articleId: Number(articleId),
      storyId: Number(storyId),
      minhash,
    })),
  };
}

/**
 * The profiles the lookup sends as one text: `id<TAB>profile` (`id` alone for none) per
 * story, separated by U+001E, which no profile holds (its header is JSON, which escapes
 * control characters, and its terms are words). Profiles are most of what a lookup returns,
 * and as JSON each was escaped by the server and parsed again here.
 */
function profilesOf(text: string | null): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (const part of text ? text.split("\x1e") : []) {
    const tab = part.indexOf("\t");
    out.set(Number(tab < 0 ? part : part.slice(0, tab)), tab < 0 ? null : part.slice(tab + 1));
  }
  return out;
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
