/** Article vector SQL: store the dense vectors of a batch, read similarity candidates. */
import type { Queryable } from "./mod.ts";
import { inStatements } from "./statements.ts";

export interface NewArticleVector {
  articleId: number;
  modelVersion: string;
  publishedAt: string;
  vector: ArrayLike<number>;
}

/** A stored article that may be similar to another: its vector, terms and what a list shows. */
export interface VectorCandidate {
  id: number;
  title: string;
  source: string | null;
  topic: string | null;
  publishedAt: string;
  vector: number[];
  terms: Record<string, number> | null;
}

/**
 * Stores vectors, a bounded number a statement (db/statements.ts), in article id order
 * (as articles are written, so concurrent writers never deadlock); a repeat for the same
 * article is ignored.
 */
export async function insertArticleVectors(
  db: Queryable,
  rows: NewArticleVector[],
): Promise<void> {
  const byId = [...rows].sort((a, b) => a.articleId - b.articleId);
  await inStatements(byId, (chunk) =>
    db.query(
      `INSERT INTO article_vectors (article_id, model_version, published_at, vector)
       SELECT r.article_id, r.model_version, r.published_at, r.vector
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, model_version text, published_at timestamptz, vector real[])
        ORDER BY r.article_id
       ON CONFLICT (article_id) DO NOTHING`,
      [JSON.stringify(chunk.map((r) => ({
        article_id: r.articleId,
        model_version: r.modelVersion,
        published_at: r.publishedAt,
        vector: Array.from(r.vector),
      })))],
      { prepare: true },
    ));
}

const CANDIDATE_COLUMNS = `a.id, a.title, a.source, a.topic,
       a.published_at, v.vector, a.terms`;

interface CandidateRow {
  id: string | number;
  title: string;
  source: string | null;
  topic: string | null;
  published_at: Date | string;
  vector: number[];
  terms: Record<string, number> | null;
}

function toCandidate(r: CandidateRow): VectorCandidate {
  return {
    id: Number(r.id),
    title: r.title,
    source: r.source,
    topic: r.topic,
    publishedAt: new Date(r.published_at).toISOString(),
    vector: r.vector.map(Number),
    terms: r.terms,
  };
}

/** The article's own vector and terms (null when it has no stored vector or does not exist). */
export async function articleVector(
  db: Queryable,
  id: number,
): Promise<VectorCandidate | null> {
  const rows = await db.query<CandidateRow>(
    `SELECT ${CANDIDATE_COLUMNS}
       FROM article_vectors v JOIN articles a ON a.id = v.article_id
      WHERE v.article_id = $1`,
    [id],
  );
  return rows.length ? toCandidate(rows[0]) : null;
}

/**
 * Up to `limit` other articles with a vector published within `days` of `around`, the
 * nearest in time first: half at most from before, the rest after (two index range scans,
 * each bounded by its limit).
 */
export async function vectorCandidates(
  db: Queryable,
  options: { excludeId: number; around: string; days: number; limit: number },
): Promise<VectorCandidate[]> {
  const half = Math.ceil(options.limit / 2);
  const rows = await db.query<CandidateRow>(
    `WITH before AS (
       SELECT article_id FROM article_vectors
        WHERE published_at <= $1::timestamptz
          AND published_at >= $1::timestamptz - make_interval(days => $2)
          AND article_id <> $3
        ORDER BY published_at DESC, article_id DESC LIMIT $4
     ), after AS (
       SELECT article_id FROM article_vectors
        WHERE published_at > $1::timestamptz
          AND published_at <= $1::timestamptz + make_interval(days => $2)
          AND article_id <> $3
        ORDER BY published_at, article_id LIMIT $4
     )
     SELECT ${CANDIDATE_COLUMNS}
       FROM (SELECT article_id FROM before UNION SELECT article_id FROM after) c
       JOIN article_vectors v ON v.article_id = c.article_id
       JOIN articles a ON a.id = c.article_id`,
    [options.around, options.days, options.excludeId, half],
  );
  return rows.map(toCandidate);
}
