/**
 * Trend statistics SQL: the hourly article counts and daily term counts kept
 * at ingestion, and the queries that bucket them.
 */
import type { Db, Queryable } from "./mod.ts";
import { inStatements, statementTurn } from "./statements.ts";
import { DEFAULT_TAXONOMY } from "./models.ts";

export const BUCKETS = ["hour", "day", "week", "month"] as const;
export type Bucket = typeof BUCKETS[number];

/** One article's contribution to the statistics of one taxonomy. */
export interface ArticleStats {
  publishedAt: string;
  /**
   * The taxonomy counted (default `topic`); `topic` holds that taxonomy's label (the
   * statistics' columns keep the name from before taxonomies).
   */
  taxonomy?: string;
  topic: string;
  source: string;
  terms: Map<string, number>;
  /** 1 (the default) adds the article; -1 takes it back, as when its topic changes. */
  weight?: 1 | -1;
  /** Adds terms to an article already counted (its phrases, added later): no article count. */
  termsOnly?: boolean;
}

/** Term count rows one statement upserts at most (see {@link addArticleStats}). */
export const TERM_ROWS_PER_STATEMENT = 1_000;

/** How many pending batches one fold takes at most. */
const FOLD_BATCHES = 50;

/**
 * Pending entries (one article's contribution to one taxonomy) past which a fold takes no
 * further batch: an entry brings its article's terms, up to thousands for a long article,
 * counted and sorted in memory, so a fold's synchronous work stays bounded however large
 * the batches that were ingested.
 */
export const FOLD_ENTRIES = 100;

/**
 * Records a batch's contribution to the statistics, inside the ingest transaction:
 * appended rows (a bounded number of articles each, db/statements.ts), so concurrent batches
 * never wait on each other's counter rows. The counters see it at the next
 * {@link foldPendingStats}.
 */
export async function queueArticleStats(db: Queryable, articles: ArticleStats[]): Promise<void> {
  await appendPending(db, articles.map((a) => ({ ...a, terms: [...a.terms] })));
}

/** Appends pending entries, a bounded number of articles a row and a statement. */
async function appendPending(db: Queryable, entries: unknown[]): Promise<void> {
  await inStatements(
    entries,
    (chunk) =>
      db.query(
        `INSERT INTO trend_stats_pending (stats) VALUES ($1::text::jsonb)`,
        [JSON.stringify(chunk)],
        { prepare: true },
      ),
  );
}

/**
 * An ingested article's contribution to one taxonomy's statistics, its terms read from
 * the stored article (`articles.terms`) when folded: the terms are written once, with the
 * article, instead of a second time in the pending queue.
 */
export interface StoredArticleStats extends Omit<ArticleStats, "terms" | "termsOnly"> {
  /** The article's id; it must be stored in the same transaction (or before). */
  article: number;
}

/**
 * Records a batch of stored articles' contribution to the statistics, inside the ingest
 * transaction, as {@link queueArticleStats} does; their terms are read when folded.
 */
export async function queueStoredArticleStats(
  db: Queryable,
  articles: StoredArticleStats[],
): Promise<void> {
  await appendPending(db, articles);
}

/** A pending entry: terms given (as pairs), or read from the stored article. */
type PendingEntry =
  & Omit<ArticleStats, "terms">
  & ({ terms: [string, number][]; article?: undefined } | { terms?: undefined; article: number });

/**
 * Articles whose stored terms one statement reads at most: a long article has hundreds of
 * terms, and the embedded database builds the whole result (JSON parsed into objects)
 * while it holds the event loop. PostgreSQL builds it off the loop: fewer round trips win.
 */
export const STORED_TERMS_PER_STATEMENT: Record<Db["kind"], number> = {
  pglite: 10,
  postgres: 100,
};

/** The stored terms of these articles (an article no longer stored has none). */
async function storedTerms(
  db: Queryable,
  ids: number[],
  perStatement: number,
): Promise<Map<number, Map<string, number>>> {
  type Row = { id: number | string; terms: Record<string, number> | null };
  const chunks = await inStatements(
    [...new Set(ids)],
    (chunk) =>
      db.query<Row>("SELECT id, terms FROM articles WHERE id = ANY($1::bigint[])", [chunk]),
    perStatement,
  );
  return new Map(
    chunks.flat().map((r) => [Number(r.id), new Map(Object.entries(r.terms ?? {}))]),
  );
}

/**
 * Adds pending batches to the counters and deletes them, a transaction for every
 * {@link FOLD_ENTRIES} entries or so (with a turn of the event loop between them), until
 * none is left; returns how many articles it added. Pending rows are locked without
 * SKIP LOCKED, so a fold that runs while another is committing waits for it: once
 * it returns, every batch committed before it started is counted (trend reads fold
 * first, so they see every ingested article).
 */
export async function foldPendingStats(db: Db): Promise<number> {
  let folded = 0;
  for (let round = 0;; round++) {
    if (round > 0) await statementTurn();
    const n = await db.transaction(async (tx) => {
      // The oldest batches, up to the one that brings the entries to FOLD_ENTRIES.
      const rows = await tx.query<{ stats: string }>(
        `DELETE FROM trend_stats_pending
          WHERE id IN (
            SELECT id FROM (
              SELECT id, sum(n) OVER (ORDER BY id) - n AS before
                FROM (SELECT id, jsonb_array_length(stats) AS n FROM trend_stats_pending
                       ORDER BY id LIMIT $1 FOR UPDATE) AS p
            ) AS w
             WHERE before < $2)
          RETURNING stats::text AS stats`,
        [FOLD_BATCHES, FOLD_ENTRIES],
      );
      const entries = rows.flatMap((r) => JSON.parse(r.stats) as PendingEntry[]);
      const stored = await storedTerms(
        tx,
        entries.flatMap((e) => (e.terms === undefined ? [e.article] : [])),
        STORED_TERMS_PER_STATEMENT[db.kind],
      );
      const articles = entries.map(({ article, terms, ...a }): ArticleStats => ({
        ...a,
        terms: terms === undefined ? stored.get(article) ?? new Map() : new Map(terms),
      }));
      await addArticleStats(tx, articles);
      return { batches: rows.length, articles: articles.length };
    });
    folded += n.articles;
    // Fewer batches than asked for and fewer entries than the bound: none was left.
    if (n.batches < FOLD_BATCHES && n.articles < FOLD_ENTRIES) return folded;
  }
}

/**
 * Adds articles to the counters (from {@link foldPendingStats}, or directly where
 * nothing runs concurrently). Rows are upserted in key order so concurrent
 * batches cannot deadlock.
 */
export async function addArticleStats(db: Queryable, articles: ArticleStats[]): Promise<void> {
  if (articles.length === 0) return;
  type Keyed = { taxonomy: string; topic: string };
  const hourly = new Map<string, Keyed & { hour: string; source: string; count: number }>();
  const daily = new Map<string, Keyed & { day: string; source: string; count: number }>();
  // Term rows by label and day (the leading part of their key), so they are sorted a
  // group at a time, with turns between groups, not in one sort of every term.
  type TermRow = Keyed & { day: string; term: string; count: number };
  const terms = new Map<string, Map<string, TermRow>>();
  const dirtyMonths = new Map<string, Keyed & { month: string }>();
  const totals = new Map<
    string,
    Keyed & { day: string; terms: number; phrases: number; articles: number }
  >();
  for (const a of articles) {
    // A long article brings hundreds of terms: a fold of many gives the loop turns.
    await statementTurn();
    const w = a.weight ?? 1;
    const taxonomy = a.taxonomy ?? DEFAULT_TAXONOMY;
    // Keys start with the taxonomy, so rows sort in primary-key order within each table.
    const labelKey = `${taxonomy}\u0000${a.topic}`;
    const t = new Date(a.publishedAt);
    const hour = new Date(
      Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()),
    ).toISOString();
    const day = hour.slice(0, 10);
    const tk = `${labelKey}\u0000${day}`;
    const total = totals.get(tk) ??
      { day, taxonomy, topic: a.topic, terms: 0, phrases: 0, articles: 0 };
    totals.set(tk, total);
    const month = `${day.slice(0, 7)}-01`;
    dirtyMonths.set(`${labelKey}\u0000${month}`, { taxonomy, topic: a.topic, month });
    const group = terms.get(tk) ?? new Map<string, TermRow>();
    terms.set(tk, group);
    for (const [term, n] of a.terms) {
      const row = group.get(term) ?? { day, taxonomy, topic: a.topic, term, count: 0 };
      row.count += n * w;
      // Two-word phrases have their own total: a phrase's share is of phrases.
      if (term.includes(" ")) total.phrases += n * w;
      else total.terms += n * w;
      group.set(term, row);
    }
    if (a.termsOnly) continue;
    total.articles += w;
    const hk = `${hour}\u0000${labelKey}\u0000${a.source}`;
    const h = hourly.get(hk) ?? { hour, taxonomy, topic: a.topic, source: a.source, count: 0 };
    h.count += w;
    hourly.set(hk, h);
    const dk = `${day}\u0000${labelKey}\u0000${a.source}`;
    const dc = daily.get(dk) ?? { day, taxonomy, topic: a.topic, source: a.source, count: 0 };
    dc.count += w;
    daily.set(dk, dc);
  }
  const sorted = <T>(m: Map<string, T>) =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  // One statement for all five tables: one round trip, so the counter rows that
  // concurrent batches share are locked for as short a time as possible. Term rows past
  // the first TERM_ROWS_PER_STATEMENT follow in statements of their own, in key order,
  // with turns of the event loop between them: long articles bring thousands of terms
  // each, and the embedded database runs a statement synchronously (db/statements.ts).
  const termRows: TermRow[] = [];
  for (const group of sorted(terms)) {
    await statementTurn();
    for (const row of sorted(group)) termRows.push(row);
  }
  const rest = termRows.slice(TERM_ROWS_PER_STATEMENT);
  if (rest.length > 0) await statementTurn();
  await db.query(
    `WITH hourly AS (
       INSERT INTO article_counts_hourly (hour, taxonomy, topic, source, count)
       SELECT r.hour, r.taxonomy, r.topic, r.source, r.count
         FROM jsonb_to_recordset($1::text::jsonb)
           AS r(hour timestamptz, taxonomy text, topic text, source text, count int)
       ON CONFLICT (hour, taxonomy, topic, source)
          DO UPDATE SET count = article_counts_hourly.count + EXCLUDED.count
     ), daily AS (
       INSERT INTO article_counts_daily (day, taxonomy, topic, source, count)
       SELECT r.day, r.taxonomy, r.topic, r.source, r.count
         FROM jsonb_to_recordset($2::text::jsonb)
           AS r(day date, taxonomy text, topic text, source text, count int)
       ON CONFLICT (day, taxonomy, topic, source)
          DO UPDATE SET count = article_counts_daily.count + EXCLUDED.count
     ), terms AS (
       INSERT INTO term_counts_daily (day, taxonomy, topic, term, count)
       SELECT r.day, r.taxonomy, r.topic, r.term, r.count
         FROM jsonb_to_recordset($3::text::jsonb)
           AS r(day date, taxonomy text, topic text, term text, count int)
       ON CONFLICT (taxonomy, topic, day, term)
          DO UPDATE SET count = term_counts_daily.count + EXCLUDED.count
     ), dirty AS (
       INSERT INTO term_rollup_dirty (taxonomy, topic, month)
       SELECT r.taxonomy, r.topic, r.month
         FROM jsonb_to_recordset($4::text::jsonb) AS r(taxonomy text, topic text, month date)
       ON CONFLICT DO NOTHING
     )
     INSERT INTO term_totals_daily (day, taxonomy, topic, terms, phrases, articles)
     SELECT r.day, r.taxonomy, r.topic, r.terms, r.phrases, r.articles
       FROM jsonb_to_recordset($5::text::jsonb)
         AS r(day date, taxonomy text, topic text, terms bigint, phrases bigint, articles int)
     ON CONFLICT (taxonomy, topic, day) DO UPDATE SET terms = term_totals_daily.terms + EXCLUDED.terms,
                                            phrases = term_totals_daily.phrases + EXCLUDED.phrases,
                                            articles = term_totals_daily.articles + EXCLUDED.articles`,
    [
      sorted(hourly),
      sorted(daily),
      termRows.slice(0, TERM_ROWS_PER_STATEMENT),
      sorted(dirtyMonths),
      sorted(totals),
    ].map((rows) => JSON.stringify(rows)),
  );
  await inStatements(
    rest,
    (chunk) =>
      db.query(
        `INSERT INTO term_counts_daily (day, taxonomy, topic, term, count)
         SELECT r.day, r.taxonomy, r.topic, r.term, r.count
           FROM jsonb_to_recordset($1::text::jsonb)
             AS r(day date, taxonomy text, topic text, term text, count int)
         ON CONFLICT (taxonomy, topic, day, term)
            DO UPDATE SET count = term_counts_daily.count + EXCLUDED.count`,
        [JSON.stringify(chunk)],
      ),
    TERM_ROWS_PER_STATEMENT,
  );
}

export interface CountRow {
  bucket: string;
  label: string;
  count: number;
}

/** Article counts per bucket and label of one taxonomy in [from, to), UTC buckets. */
export async function countsByBucket(
  db: Queryable,
  options: {
    bucket: Bucket;
    from: string;
    to: string;
    /** Only this label's counts. */
    label?: string;
    source?: string;
    /** The taxonomy counted; default `topic`. */
    taxonomy?: string;
  },
): Promise<CountRow[]> {
  // Hour buckets read the hourly counts; day, week and month ones the daily counts.
  const hourly = options.bucket === "hour";
  const params: unknown[] = [
    options.bucket,
    options.from,
    options.to,
    options.taxonomy ?? DEFAULT_TAXONOMY,
  ];
  let where =
    (hourly
      ? "hour >= $2::timestamptz AND hour < $3::timestamptz"
      : "day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC')::date") +
    " AND taxonomy = $4";
  if (options.label !== undefined) {
    params.push(options.label);
    where += ` AND topic = $${params.length}`;
  }
  if (options.source !== undefined) {
    params.push(options.source);
    where += ` AND source = $${params.length}`;
  }
  const rows = await db.query<{ bucket: Date; topic: string; count: number }>(
    `SELECT date_trunc($1, ${
      hourly ? "hour" : "day::timestamp AT TIME ZONE 'UTC'"
    }, 'UTC') AS bucket,
            topic, sum(count)::int AS count
       FROM ${hourly ? "article_counts_hourly" : "article_counts_daily"} WHERE ${where}
      GROUP BY 1, 2 HAVING sum(count) <> 0 ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({
    bucket: new Date(r.bucket).toISOString(),
    label: r.topic,
    count: r.count,
  }));
}

/** First and last publication hour with any article (for default ranges). */
export async function statsRange(db: Queryable): Promise<{ first: string; last: string } | null> {
  const [row] = await db.query<{ first: Date | null; last: Date | null }>(
    "SELECT min(hour) AS first, max(hour) AS last FROM article_counts_hourly",
  );
  return row?.first && row.last
    ? { first: new Date(row.first).toISOString(), last: new Date(row.last).toISOString() }
    : null;
}

/**
 * The first day with any article (of `source`, when given), or null: buckets before it are
 * before the data began, so no spike baseline.
 */
export async function firstDataDay(
  db: Queryable,
  options: { source?: string } = {},
): Promise<string | null> {
  const [row] = options.source === undefined
    ? await db.query<{ first: Date | string | null }>(
      "SELECT min(day) AS first FROM article_counts_daily",
    )
    : await db.query<{ first: Date | string | null }>(
      "SELECT min(day) AS first FROM article_counts_daily WHERE source = $1",
      [options.source],
    );
  if (!row?.first) return null;
  return typeof row.first === "string" ? row.first.slice(0, 10) : dateOnly(row.first);
}

/** `YYYY-MM-DD` of a date column value (drivers give midnight UTC). */
export function dateOnly(d: Date): string {
  return new Date(d).toISOString().slice(0, 10);
}
