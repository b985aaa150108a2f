/**
 * Story placement SQL: a batch's story assignments written at once (new stories, moved
 * ones, their index entries, the articles' stories and band keys) with the batch's term
 * frequencies, which weigh rare terms above common ones.
 */
import type { Queryable } from "./mod.ts";
import { statementTurn } from "./statements.ts";
import { TOTAL_TERM } from "./story_index.ts";

/** Term frequencies upserted per statement at most (each statement holds the embedded database). */
const COUNT_CHUNK = 1000;

/** Term frequencies to add: how many new articles hold each term, and how many were counted. */
export interface TermCounts {
  counts: Map<string, number>;
  articles: number;
}

/** The frequencies past the first chunk (`$1` terms, `$2` counts), rows in their order. */
const COUNT_ROWS = `INSERT INTO story_term_df (term, df)
  SELECT t, n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(t, n, i) ORDER BY i
  ON CONFLICT (term) DO UPDATE SET df = story_term_df.df + excluded.df`;

/** Terms and counts, the articles' total first, in term order (rows locked in that order). */
function sortedCounts(counts: Map<string, number>, articles: number): [string[], number[]] {
  const rows = [[TOTAL_TERM, articles] as const, ...counts].sort((a, b) => a[0] < b[0] ? -1 : 1);
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
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
 * replaced, the articles' stories and band keys stored, and the batch's term `frequencies`
 * added (whatever was written; in term order, so concurrent batches wait for each other
 * instead of deadlocking; past `COUNT_CHUNK` terms, the rest in statements of their own).
 * Articles of a stored story left unwritten are left out too. Returns the keys of the
 * stories written.
 */
export async function placeInStories(
  db: Queryable,
  write: {
    stories: StoryWrite[];
    articles: ArticlePlacement[];
    frequencies?: TermCounts;
  },
): Promise<Set<number>> {
  const [terms, ns] = write.frequencies && write.frequencies.articles > 0
    ? sortedCounts(write.frequencies.counts, write.frequencies.articles)
    : [[], []];
  const stories = [...write.stories].sort((a, b) => a.key - b.key);
  const row = (s: (typeof stories)[number]) => ({
    title: s.title,
    topic: s.topic,
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    articles: s.articles,
    profile: s.profile,
  });
  const fresh = stories.filter((s) => s.id === null).map((s) => ({ key: s.key, ...row(s) }));
  const moved = stories.filter((s) => s.id !== null).map((s) => ({
    id: s.id,
    ...row(s),
    checked: s.expected !== undefined,
    expected: s.expected ?? null,
  }));
  const indexed = stories.flatMap((s) =>
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
  // A new story's index entries are plain inserts, and only a moved story's old ones are
  // looked for (nothing can hold a new story's id yet): most stories of a batch are new, and
  // the upsert's conflict probe per row was most of the statement's time on PostgreSQL.
  // A moved story's entry is rewritten only when its date moves on: most of a growing
  // story's terms were indexed already, and an update that changes nothing still writes
  // the row anew, in every index of the table.
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
     td AS (DELETE FROM story_terms st USING upd
             WHERE st.story_id = ANY(ARRAY(SELECT id FROM upd)) AND st.story_id = upd.id
               AND NOT EXISTS (SELECT 1 FROM t WHERE t.key = upd.id AND t.term = st.term)),
     tn AS (INSERT INTO story_terms (term, story_id, last_seen)
            SELECT t.term, n.id, t.last_seen FROM t JOIN n ON n.key = t.key),
     ti AS (INSERT INTO story_terms (term, story_id, last_seen)
            SELECT t.term, upd.id, t.last_seen FROM t JOIN upd ON upd.id = t.key
            ON CONFLICT (term, story_id)
            DO UPDATE SET last_seen = excluded.last_seen
            WHERE excluded.last_seen > story_terms.last_seen),
     a AS (INSERT INTO article_stories (article_id, story_id, published_at, minhash, duplicate_of)
           SELECT u.article_id, k.id, u.published_at, u.minhash, u.duplicate_of
             FROM jsonb_to_recordset($4::text::jsonb) AS u(article_id bigint, key bigint,
                  published_at timestamptz, minhash text, duplicate_of bigint)
             JOIN k ON k.key = u.key),
     b AS (INSERT INTO story_bands (band_key, published_at, article_id)
           SELECT u.band, u.published_at, u.article_id
             FROM jsonb_to_recordset($5::text::jsonb) AS u(band bigint, published_at timestamptz,
                  article_id bigint, key bigint)
             JOIN k ON k.key = u.key),
     c AS (INSERT INTO story_term_df (term, df)
           SELECT t, n FROM unnest($7::text[], $8::bigint[]) WITH ORDINALITY AS u(t, n, i) ORDER BY i
           ON CONFLICT (term) DO UPDATE SET df = story_term_df.df + excluded.df)
     SELECT key FROM k`,
    [
      JSON.stringify(fresh),
      JSON.stringify(moved),
      JSON.stringify(indexed),
      JSON.stringify(articles),
      JSON.stringify(bands),
      moved.map((m) => m.id),
      terms.slice(0, COUNT_CHUNK),
      ns.slice(0, COUNT_CHUNK),
    ],
    { prepare: true },
  );
  for (let from = COUNT_CHUNK; from < terms.length; from += COUNT_CHUNK) {
    await statementTurn();
    await db.query(
      COUNT_ROWS,
      [terms.slice(from, from + COUNT_CHUNK), ns.slice(from, from + COUNT_CHUNK)],
      { prepare: true },
    );
  }
  return new Set(rows.map((r) => Number(r.key)));
}
