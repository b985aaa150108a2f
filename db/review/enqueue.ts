/** Queueing predictions for review, each audited as `queued`. */
import type { Queryable } from "../mod.ts";
import type { ReviewReason } from "./types.ts";
import { inStatements } from "../statements.ts";

/** A prediction to queue (routing decided it needs review). */
export interface NewReviewItem {
  articleId: number;
  modelVersion: string;
  predictedLabel: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadowVersion?: string | null;
  shadowLabel?: string | null;
  requiredLabels: number;
}

/**
 * Queues items and audits each as `queued` by `actor`, a bounded number a statement
 * (db/statements.ts) in (article, model) order (run it inside the caller's transaction). Each item reviews its model's taxonomy, and
 * an article has at most one open item per taxonomy. With `onlyNew` (routing at
 * ingestion), an article that has ever been queued in that taxonomy is left
 * alone; otherwise only one with an open item is. Returns the ids of the items queued.
 */
export async function enqueueReviewItems(
  tx: Queryable,
  items: readonly NewReviewItem[],
  options: { actor: string; onlyNew: boolean; note?: string },
): Promise<number[]> {
  const byKey = [...items].sort((a, b) =>
    a.articleId - b.articleId ||
    (a.modelVersion < b.modelVersion ? -1 : a.modelVersion > b.modelVersion ? 1 : 0)
  );
  const chunks = await inStatements(byKey, (chunk) => enqueueChunk(tx, chunk, options));
  return chunks.flat();
}

async function enqueueChunk(
  tx: Queryable,
  items: readonly NewReviewItem[],
  options: { actor: string; onlyNew: boolean; note?: string },
): Promise<number[]> {
  const rows = await tx.query<{ item_id: number }>(
    `WITH ins AS (
       INSERT INTO review_items (article_id, model_version, predicted_label, score, scores, margin,
                                 reasons, shadow_version, shadow_label, required_labels, taxonomy)
       SELECT r.article_id, r.model_version, r.predicted_label, r.score, r.scores, r.margin,
              ARRAY(SELECT jsonb_array_elements_text(r.reasons)), r.shadow_version,
              r.shadow_label, r.required_labels, m.taxonomy
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, model_version text, predicted_label text,
                score double precision, scores jsonb, margin double precision, reasons jsonb,
                shadow_version text, shadow_label text, required_labels integer)
         JOIN models m ON m.version = r.model_version
         -- A lateral probe, so the planner reads the items of each article by index: as
         -- NOT EXISTS under the OR it hashed the whole queue on every call.
         LEFT JOIN LATERAL (SELECT 1 AS seen FROM review_items x
                             WHERE x.article_id = r.article_id AND x.taxonomy = m.taxonomy
                             LIMIT 1) AS e ON $3::boolean
        WHERE e.seen IS NULL
        ORDER BY r.article_id, r.model_version
       ON CONFLICT (article_id, taxonomy)
          WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication')
          DO NOTHING
       RETURNING id, article_id, reasons, status, required_labels
     )
     INSERT INTO review_audit (item_id, article_id, actor, event, note, after, reasons)
     SELECT id, article_id, $2, 'queued', $4,
            jsonb_build_object('status', status, 'requiredLabels', required_labels), reasons
       FROM ins
     RETURNING item_id`,
    [
      JSON.stringify(items.map((i) => ({
        article_id: i.articleId,
        model_version: i.modelVersion,
        predicted_label: i.predictedLabel,
        score: i.score,
        scores: i.scores,
        margin: i.margin,
        reasons: i.reasons,
        shadow_version: i.shadowVersion ?? null,
        shadow_label: i.shadowLabel ?? null,
        required_labels: i.requiredLabels,
      }))),
      options.actor,
      options.onlyNew,
      options.note ?? null,
    ],
    { prepare: true },
  );
  return rows.map((r) => r.item_id);
}
