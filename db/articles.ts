/** Article SQL: idempotent batch insert, keyset-paginated listing, lookup, counts. */
import type { Queryable } from "./mod.ts";
import { slicesOf } from "../lib/slices.ts";
import { CHARS_PER_STATEMENT, ROWS_PER_STATEMENT, statementTurn } from "./statements.ts";

/** An article ready to store (validated and normalised by the caller). */
export interface NewArticle {
  externalId?: string | null;
  url?: string | null;
  title: string;
  body: string;
  source?: string | null;
  category?: string | null;
  language?: string | null;
  /** ISO 8601; the ingestion time when absent. */
  publishedAt?: string | null;
  contentHash: string;
  dedupKey: string;
  topic?: string | null;
  topicScore?: number | null;
  summary?: string | null;
  summaryMethod?: string | null;
  languageConfidence?: number | null;
  /** The words the article adds to the trend statistics, with their counts. */
  terms?: Map<string, number> | null;
}

export interface Article {
  id: number;
  externalId: string | null;
  url: string | null;
  title: string;
  body: string;
  source: string | null;
  category: string | null;
  language: string | null;
  publishedAt: string;
  ingestedAt: string;
  contentHash: string;
  /** The reviewed label once reviewers settled on one, else the model's prediction. */
  topic: string | null;
  /** The model's probability of `topic`; null for a reviewed topic. */
  topicScore: number | null;
  /** The prediction of the model active at ingestion. */
  predictedTopic: string | null;
  topicReviewed: boolean;
  summary: string | null;
  summaryMethod: string | null;
  languageConfidence: number | null;
  /** The story (db/stories.ts) the article was grouped into; null until it is. */
  story: number | null;
}

export type InsertOutcome = { id: number; status: "created" | "duplicate" };

/** Outcomes plus, for created rows, the stored publication time (defaulted to now when absent). */
export type InsertResult = InsertOutcome & { publishedAt?: string };

const COLUMNS = `id, external_id, url, title, body, source, category, language,
  published_at, ingested_at, content_hash, topic, topic_score, predicted_topic, topic_reviewed,
  summary, summary_method, language_confidence,
  (SELECT s.story_id FROM article_stories s WHERE s.article_id = articles.id) AS story_id`;

interface ArticleRow {
  id: number;
  external_id: string | null;
  url: string | null;
  title: string;
  body: string;
  source: string | null;
  category: string | null;
  language: string | null;
  published_at: Date;
  ingested_at: Date;
  content_hash: string;
  topic: string | null;
  topic_score: number | null;
  predicted_topic: string | null;
  topic_reviewed: boolean;
  summary: string | null;
  summary_method: string | null;
  language_confidence: number | null;
  story_id: number | string | null;
}

function toArticle(r: ArticleRow): Article {
  return {
    id: r.id,
    externalId: r.external_id,
    url: r.url,
    title: r.title,
    body: r.body,
    source: r.source,
    category: r.category,
    language: r.language,
    publishedAt: new Date(r.published_at).toISOString(),
    ingestedAt: new Date(r.ingested_at).toISOString(),
    contentHash: r.content_hash,
    topic: r.topic,
    topicScore: r.topic_score,
    predictedTopic: r.predicted_topic,
    topicReviewed: r.topic_reviewed,
    summary: r.summary,
    summaryMethod: r.summary_method,
    languageConfidence: r.language_confidence,
    story: r.story_id === null ? null : Number(r.story_id),
  };
}

/** The JSON record of one article, as the insert reads it. */
function articleRecord(a: NewArticle, id?: number) {
  return {
    ...(id === undefined ? {} : { id }),
    external_id: a.externalId ?? null,
    url: a.url ?? null,
    title: a.title,
    body: a.body,
    source: a.source ?? null,
    category: a.category ?? null,
    language: a.language ?? null,
    published_at: a.publishedAt ?? null,
    content_hash: a.contentHash,
    dedup_key: a.dedupKey,
    topic: a.topic ?? null,
    topic_score: a.topicScore ?? null,
    summary: a.summary ?? null,
    summary_method: a.summaryMethod ?? null,
    language_confidence: a.languageConfidence ?? null,
    terms: a.terms ? Object.fromEntries(a.terms) : null,
  };
}

type Inserted = { id: number; dedup_key: string; published_at: Date };

/**
 * One JSON parameter carries the rows: one round trip, the same SQL on both drivers, and
 * no parameter-count limit. Rows are written, and their keys locked, in dedup key order:
 * two concurrent batches sharing keys then queue behind each other instead of each holding
 * a key the other waits for (a deadlock). A key repeated keeps its lowest id (its first
 * occurrence). Ids come with the rows (`id`) or are drawn here in the rows' order.
 */
function insertRecords(db: Queryable, payload: string): Promise<Inserted[]> {
  return db.query<Inserted>(
    `WITH r AS MATERIALIZED (
       SELECT r.*, coalesce(r.id, nextval(pg_get_serial_sequence('articles', 'id'))) AS row_id
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                id bigint, external_id text, url text, title text, body text, source text,
                category text, language text, published_at timestamptz,
                content_hash text, dedup_key text, topic text, topic_score float8,
                summary text, summary_method text, language_confidence real, terms jsonb)
     )
     INSERT INTO articles (id, external_id, url, title, body, source, category, language,
                           published_at, content_hash, dedup_key, topic, topic_score,
                           predicted_topic, predicted_topic_score,
                           summary, summary_method, language_confidence, terms)
     OVERRIDING SYSTEM VALUE
     SELECT r.row_id, r.external_id, r.url, r.title, r.body, r.source, r.category, r.language,
            coalesce(r.published_at, now()), r.content_hash, r.dedup_key, r.topic,
            r.topic_score, r.topic, r.topic_score, r.summary, r.summary_method,
            r.language_confidence, r.terms
       FROM r ORDER BY r.dedup_key COLLATE "C", r.row_id
     ON CONFLICT (dedup_key) DO NOTHING
     RETURNING id, dedup_key, published_at`,
    [payload],
    { prepare: true },
  );
}

/** The characters an article brings to the insert (its text, summary and terms). */
const articleChars = (a: NewArticle) =>
  a.title.length + a.body.length + (a.summary?.length ?? 0) + (a.terms?.size ?? 0) * 12;

/**
 * Inserts a batch; an article whose dedup key is already stored (or repeated earlier in
 * the batch) is reported as a duplicate with the stored id. Outcomes are in input order,
 * and ids are drawn in input order (a batch lists in the order it was sent). Run it inside
 * a transaction to make a batch all-or-nothing with other writes.
 *
 * A batch of more rows or text than one statement takes (db/statements.ts) is written in
 * several statements, slices of the batch in dedup key order, with turns of the event loop
 * between them: the embedded database works synchronously, so one statement over megabytes
 * of text would hold the loop for seconds.
 */
export async function insertArticles(
  db: Queryable,
  articles: NewArticle[],
): Promise<InsertResult[]> {
  if (articles.length === 0) return [];
  const byKey = articles.map((_, i) => i).sort((a, b) => {
    const ka = articles[a].dedupKey, kb = articles[b].dedupKey;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  const parts = slicesOf(byKey, (i) => articleChars(articles[i]), {
    maxItems: ROWS_PER_STATEMENT,
    maxChars: CHARS_PER_STATEMENT,
  });
  let created: Inserted[];
  if (parts.length === 1) {
    created = await insertRecords(db, JSON.stringify(articles.map((a) => articleRecord(a))));
  } else {
    const ids = await db.query<{ id: number | string }>(
      `SELECT nextval(pg_get_serial_sequence('articles', 'id')) AS id
         FROM generate_series(1, $1) ORDER BY 1`,
      [articles.length],
      { prepare: true },
    );
    created = [];
    for (const part of parts) {
      await statementTurn();
      const payload = JSON.stringify(
        part.map((i) => articleRecord(articles[i], Number(ids[i].id))),
      );
      created.push(...await insertRecords(db, payload));
    }
  }
  const createdIds = new Map(created.map((r) => [r.dedup_key, Number(r.id)]));
  const publishedAt = new Map(
    created.map((r) => [r.dedup_key, new Date(r.published_at).toISOString()]),
  );
  const missing = articles.map((a) => a.dedupKey).filter((k) => !createdIds.has(k));
  const existing = missing.length === 0 ? [] : await db.query<{ id: number; dedup_key: string }>(
    "SELECT id, dedup_key FROM articles WHERE dedup_key = ANY($1::text[])",
    [missing],
  );
  const existingIds = new Map(existing.map((r) => [r.dedup_key, r.id]));
  const seen = new Set<string>();
  return articles.map((a) => {
    const id = createdIds.get(a.dedupKey);
    if (id !== undefined && !seen.has(a.dedupKey)) {
      seen.add(a.dedupKey);
      return { id, status: "created", publishedAt: publishedAt.get(a.dedupKey) };
    }
    return { id: id ?? existingIds.get(a.dedupKey)!, status: "duplicate" };
  });
}

export interface ArticleFilter {
  source?: string;
  since?: string;
  until?: string;
  /** Full-text query, web-search syntax (`"exact phrase" -excluded or`). */
  q?: string;
  language?: string;
  /**
   * Articles labelled `label` in `taxonomy` (default `topic`): the topic (reviewed, else
   * predicted) for `topic`, any stored prediction of the taxonomy's models for another.
   */
  label?: string;
  taxonomy?: string;
  /** Return articles with ids below this one (keyset cursor). */
  beforeId?: number;
  limit: number;
}

/** Newest first by id; fetch `limit + 1` to know whether another page exists. */
export async function listArticles(db: Queryable, filter: ArticleFilter): Promise<Article[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace("?", `$${params.length}`));
  };
  if (filter.source !== undefined) add("source = ?", filter.source);
  if (filter.language !== undefined) add("language = ?", filter.language);
  if (filter.since !== undefined) add("published_at >= ?::timestamptz", filter.since);
  if (filter.until !== undefined) add("published_at < ?::timestamptz", filter.until);
  if (filter.q !== undefined) add("search @@ websearch_to_tsquery('english', ?)", filter.q);
  if (filter.label !== undefined) {
    if ((filter.taxonomy ?? "topic") === "topic") add("topic = ?", filter.label);
    else {
      params.push(filter.label, filter.taxonomy);
      where.push(
        `EXISTS (SELECT 1 FROM predictions p JOIN models m ON m.version = p.model_version
                  WHERE p.article_id = articles.id AND p.label = $${params.length - 1}
                    AND m.taxonomy = $${params.length})`,
      );
    }
  }
  if (filter.beforeId !== undefined) add("id < ?", filter.beforeId);
  params.push(filter.limit);
  const rows = await db.query<ArticleRow>(
    `SELECT ${COLUMNS} FROM articles
      ${where.length ? "WHERE " + where.join(" AND ") : ""}
      ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toArticle);
}

export async function getArticle(db: Queryable, id: number): Promise<Article | null> {
  const [row] = await db.query<ArticleRow>(`SELECT ${COLUMNS} FROM articles WHERE id = $1`, [id]);
  return row ? toArticle(row) : null;
}

export async function countArticles(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM articles");
  return row.n;
}

/** True when an article with this id is stored. */
export async function articleExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query("SELECT 1 FROM articles WHERE id = $1", [id])).length > 0;
}

/** An article stored before its terms were kept: what {@link setArticleTerms} needs. */
export interface ArticleText {
  id: number;
  title: string;
  body: string;
}

/** Up to `limit` articles whose terms are not stored yet, by id. */
export async function articlesWithoutTerms(db: Queryable, limit: number): Promise<ArticleText[]> {
  return await db.query<ArticleText>(
    "SELECT id, title, body FROM articles WHERE terms IS NULL ORDER BY id LIMIT $1",
    [limit],
  );
}

/**
 * Stores the terms of articles (computed by the caller from their text), marked for
 * their phrases to be added (words only here: see `articlesWithPendingPhrases()`).
 */
export async function setArticleTerms(
  db: Queryable,
  rows: Array<{ id: number; terms: Map<string, number> }>,
): Promise<void> {
  if (rows.length === 0) return;
  const payload = JSON.stringify(
    rows.map((r) => ({ id: r.id, terms: Object.fromEntries(r.terms) })),
  );
  await db.query(
    `UPDATE articles a SET terms = r.terms, phrases_pending = true
       FROM jsonb_to_recordset($1::text::jsonb) AS r(id bigint, terms jsonb)
      WHERE a.id = r.id`,
    [payload],
  );
}
