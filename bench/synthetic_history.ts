/**
 * A large synthetic article history for the scale benchmark (`bench/scale.ts`): articles
 * with realistic text (words drawn from a real vocabulary, common ones more often), one
 * prediction each, and the trend counters ingestion would have left for them, generated
 * in SQL so millions of rows take minutes, not days. Also the sizes of what they occupy.
 */
import type { Queryable } from "../db/driver.ts";

export interface SyntheticHistoryOptions {
  /** Articles numbered `first` … `first + count - 1` (their external ids and dedup keys). */
  first: number;
  count: number;
  /** Words to draw text from; earlier words are drawn more often (a Zipf-like skew). */
  vocabulary: string[];
  /** Words per body (titles get a quarter of it). */
  bodyWords: number;
  topics: string[];
  sources: string[];
  /** Publication dates spread evenly over `from` + `days`. */
  from: string;
  days: number;
  /** A registered model the predictions name. */
  modelVersion: string;
}

/**
 * Inserts one slice of the history: articles, their predictions, and their counts in the
 * hourly and daily counters (added to what is there). Article `n` always gets the same
 * date, topic and source, so slices can be inserted in any order.
 */
export async function insertSyntheticHistory(
  db: Queryable,
  o: SyntheticHistoryOptions,
): Promise<void> {
  await loadTexts(db, o.vocabulary, o.bodyWords);
  const last = o.first + o.count - 1;
  const seconds = o.days * 86_400;
  // Article n pairs the title of one pooled text with the body of another (10,000 x
  // 10,000 combinations), so full-text postings and term counts grow as with real text.
  await db.query(
    `INSERT INTO articles (external_id, title, body, source, language, published_at,
                           content_hash, dedup_key, topic, topic_score, language_confidence,
                           terms)
     SELECT 'syn-' || n, t.title, b.body,
            ($1::text[])[1 + n % cardinality($1::text[])],
            'en',
            $2::timestamptz + make_interval(secs => ((n * 7919) % $3::int8)::float8),
            md5(n::text), 'syn:' || n,
            ($4::text[])[1 + (n / 7) % cardinality($4::text[])],
            0.5 + (n % 50) / 100.0, 0.99, b.terms
       FROM generate_series($5::int8, $6::int8) AS n
       JOIN synthetic_texts AS t ON t.id = n % ${TEXTS}
       JOIN synthetic_texts AS b ON b.id = (n * 7919 / ${TEXTS}) % ${TEXTS}`,
    [o.sources, `${o.from}T00:00:00Z`, seconds, o.topics, o.first, last],
  );
  await db.query(
    `INSERT INTO predictions (article_id, model_version, label, score, scores)
     SELECT id, $1, topic, topic_score, jsonb_build_object(topic, topic_score)
       FROM generate_series($2::int8, $3::int8) AS n JOIN articles ON dedup_key = 'syn:' || n`,
    [o.modelVersion, o.first, last],
  );
  await db.query(
    `INSERT INTO article_counts_hourly (hour, topic, source, count)
     SELECT date_trunc('hour', published_at), topic, source, count(*)
       FROM generate_series($1::int8, $2::int8) AS n JOIN articles ON dedup_key = 'syn:' || n
      GROUP BY 1, 2, 3
     ON CONFLICT (hour, topic, source)
     DO UPDATE SET count = article_counts_hourly.count + EXCLUDED.count`,
    [o.first, last],
  );
  await db.query(
    `INSERT INTO article_counts_daily (day, topic, source, count)
     SELECT (published_at AT TIME ZONE 'UTC')::date, topic, source, count(*)
       FROM generate_series($1::int8, $2::int8) AS n JOIN articles ON dedup_key = 'syn:' || n
      GROUP BY 1, 2, 3
     ON CONFLICT (day, topic, source)
     DO UPDATE SET count = article_counts_daily.count + EXCLUDED.count`,
    [o.first, last],
  );
}

/**
 * The words to draw from, in a table: indexing a large array parameter copies the whole
 * array on every access, a table lookup by id does not.
 */
async function loadVocabulary(db: Queryable, words: string[]): Promise<void> {
  await db.exec(
    "CREATE TABLE IF NOT EXISTS synthetic_vocabulary (id int PRIMARY KEY, word text NOT NULL)",
  );
  const [{ n }] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM synthetic_vocabulary",
  );
  if (n === words.length) return;
  await db.exec("TRUNCATE synthetic_vocabulary");
  await db.query(
    `INSERT INTO synthetic_vocabulary (id, word)
     SELECT i, w FROM unnest($1::text[]) WITH ORDINALITY AS x (w, i)`,
    [words],
  );
  await db.exec("ANALYZE synthetic_vocabulary");
}

/** Texts in the pool articles draw their titles and bodies from. */
const TEXTS = 10_000;

/**
 * The pool of texts: words drawn from the vocabulary, earlier ones more often
 * (`random() ^ 3`), with their word counts (an article's `terms`). Each word's id is drawn
 * in a subquery and then looked up: drawn in the lookup's WHERE, it would be redrawn
 * for every row scanned.
 */
async function loadTexts(db: Queryable, words: string[], bodyWords: number): Promise<void> {
  await loadVocabulary(db, words);
  await db.exec(
    `CREATE TABLE IF NOT EXISTS synthetic_texts (
       id int PRIMARY KEY, title text NOT NULL, body text NOT NULL, terms jsonb NOT NULL)`,
  );
  const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM synthetic_texts");
  if (n === TEXTS) return;
  const draw = (count: string) =>
    `(SELECT string_agg((SELECT word FROM synthetic_vocabulary WHERE id = k), ' ')
        FROM (SELECT 1 + floor(random() ^ 3 * $1)::int + 0 * g AS k
                FROM generate_series(1, ${count} + 0 * i) AS g) AS r)`;
  await db.query(
    `INSERT INTO synthetic_texts (id, title, body, terms)
     SELECT i, title, body,
            (SELECT jsonb_object_agg(w, c) FROM (
               SELECT w, count(*) AS c FROM unnest(string_to_array(body, ' ')) AS w GROUP BY w
             ) AS x)
       FROM generate_series(0, ${TEXTS - 1}) AS i,
            LATERAL (SELECT ${draw("greatest(3, $2::int / 4)")} AS title,
                            ${draw("$2::int")} AS body) AS d`,
    [words.length, bodyWords],
  );
}

/** Refreshes the planner's statistics after a bulk load (as autovacuum would, later). */
export async function analyzeHistory(db: Queryable): Promise<void> {
  await db.exec("ANALYZE articles; ANALYZE predictions; ANALYZE article_counts_hourly");
}

/** Bytes on disk: the articles table, its full-text index, predictions, the whole database. */
export async function historySizes(db: Queryable): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, number>>(
    `SELECT pg_relation_size('articles')::int8 AS "articlesHeap",
            pg_total_relation_size('articles')::int8 AS "articlesTotal",
            pg_relation_size('articles_search_idx')::int8 AS "searchIndex",
            pg_total_relation_size('predictions')::int8 AS "predictionsTotal",
            pg_database_size(current_database())::int8 AS "database"`,
  );
  return row;
}

/**
 * Daily term counts for every topic and day of the history (`termsPerDay` distinct terms
 * each), as ingestion's statistics would leave them, and their monthly roll-up.
 */
export async function insertSyntheticTerms(
  db: Queryable,
  o: { from: string; days: number; topics: string[]; vocabulary: string[]; termsPerDay: number },
): Promise<void> {
  await loadVocabulary(db, o.vocabulary);
  await db.query(
    `INSERT INTO term_counts_daily (day, topic, term, count)
     SELECT $1::date + d, t, v.word, 1 + (random() * 20)::int
       FROM generate_series(0, $2::int - 1) AS d, unnest($3::text[]) AS t,
            synthetic_vocabulary AS v
      WHERE v.id <= $4::int
     ON CONFLICT DO NOTHING`,
    [o.from, o.days, o.topics, o.termsPerDay],
  );
  await db.query(
    `INSERT INTO term_totals_daily (day, topic, terms, articles)
     SELECT day, topic, sum(count), 0 FROM term_counts_daily GROUP BY day, topic
     ON CONFLICT (topic, day) DO UPDATE SET terms = EXCLUDED.terms`,
  );
  await db.exec("ANALYZE term_counts_daily; ANALYZE term_totals_daily");
}
