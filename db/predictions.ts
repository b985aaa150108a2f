/** Prediction SQL: store a batch of predictions, read an article's predictions. */
import type { Queryable } from "./mod.ts";
import { inStatements } from "./statements.ts";

export interface NewPrediction {
  articleId: number;
  modelVersion: string;
  label: string;
  score: number;
  scores: Record<string, number>;
}

export interface StoredPrediction {
  modelVersion: string;
  /** The taxonomy of the model (`topic`, `section`, …). */
  taxonomy: string;
  label: string;
  score: number;
  scores: Record<string, number>;
  createdAt: string;
}

/**
 * Stores predictions, a bounded number a statement (db/statements.ts); a repeat for the
 * same article and model is ignored. Rows are written in key order, as articles are, so
 * concurrent writers never deadlock.
 */
export async function insertPredictions(db: Queryable, rows: NewPrediction[]): Promise<void> {
  const byKey = [...rows].sort((a, b) =>
    a.articleId - b.articleId ||
    (a.modelVersion < b.modelVersion ? -1 : a.modelVersion > b.modelVersion ? 1 : 0)
  );
  await inStatements(byKey, (chunk) =>
    db.query(
      `INSERT INTO predictions (article_id, model_version, label, score, scores)
       SELECT r.article_id, r.model_version, r.label, r.score, r.scores
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, model_version text, label text,
                score double precision, scores jsonb)
        ORDER BY r.article_id, r.model_version COLLATE "C"
       ON CONFLICT (article_id, model_version) DO NOTHING`,
      [JSON.stringify(chunk.map((r) => ({
        article_id: r.articleId,
        model_version: r.modelVersion,
        label: r.label,
        score: r.score,
        scores: r.scores,
      })))],
      { prepare: true },
    ));
}

/** An article's predictions, newest first. */
export async function predictionsFor(
  db: Queryable,
  articleId: number,
): Promise<StoredPrediction[]> {
  const rows = await db.query<
    {
      model_version: string;
      taxonomy: string;
      label: string;
      score: number;
      scores: Record<string, number>;
      created_at: Date;
    }
  >(
    `SELECT p.model_version, m.taxonomy, p.label, p.score, p.scores, p.created_at
       FROM predictions p JOIN models m ON m.version = p.model_version
      WHERE p.article_id = $1 ORDER BY p.id DESC`,
    [articleId],
  );
  return rows.map((r) => ({
    modelVersion: r.model_version,
    taxonomy: r.taxonomy,
    label: r.label,
    score: r.score,
    scores: r.scores,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Predictions per label for one model version (for metrics). */
export async function predictionCounts(
  db: Queryable,
  modelVersion: string,
): Promise<Record<string, number>> {
  const rows = await db.query<{ label: string; n: number }>(
    "SELECT label, count(*)::int AS n FROM predictions WHERE model_version = $1 GROUP BY label",
    [modelVersion],
  );
  return Object.fromEntries(rows.map((r) => [r.label, r.n]));
}
