/**
 * Queueing suspected label errors (reason `label_issue`): the given label and the
 * suggestion are stored beside the prediction, and each new item is audited as `queued`.
 */
import type { Queryable } from "../mod.ts";

/** A suspected label error to queue. */
export interface NewLabelIssue {
  articleId: number;
  /** The model whose label set reviewers choose from (the active one). */
  modelVersion: string;
  given: string;
  suggested: string;
  /** Quality of the given label in [0, 1]: lower is more likely wrong. */
  score: number;
  /** The cross-fitted probabilities of every label. */
  scores: Record<string, number>;
  requiredLabels: number;
}

/** What {@link enqueueLabelIssues} did. */
export interface LabelIssueQueueing {
  /** Ids of the items queued. */
  queued: number[];
  /** Ids of open items (queued for another reason) the suggestion was added to. */
  attached: number[];
  /** Articles left alone: queued as a label issue before. */
  skipped: number;
}

/**
 * Queues suspected label errors (run it inside the caller's transaction). The suggestion
 * is the item's prediction, so accepting it relabels the article; labelling it with the
 * given label keeps that. An article with an open item for another reason gets the reason
 * and the suggestion added to that item (its prediction stays the model's). Idempotent: an
 * article ever queued as a label issue is left alone.
 */
export async function enqueueLabelIssues(
  tx: Queryable,
  issues: readonly NewLabelIssue[],
  options: { actor: string },
): Promise<LabelIssueQueueing> {
  if (issues.length === 0) return { queued: [], attached: [], skipped: 0 };
  // One row per article: an upsert may not touch a row twice.
  const unique = [...new Map(issues.map((i) => [i.articleId, i])).values()];
  const rows = await tx.query<{ id: number; inserted: boolean }>(
    `WITH up AS (
       INSERT INTO review_items AS ri (article_id, model_version, predicted_label, score, scores,
                                       margin, reasons, given_label, suggested_label,
                                       suggestion_score, required_labels, taxonomy)
       SELECT r.article_id, r.model_version, r.suggested,
              coalesce((r.scores ->> r.suggested)::double precision, 0),
              r.scores, r.margin, ARRAY['label_issue'], r.given, r.suggested, r.score,
              r.required_labels, m.taxonomy
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, model_version text, given text, suggested text,
                score double precision, scores jsonb, margin double precision,
                required_labels integer)
         JOIN models m ON m.version = r.model_version
        WHERE NOT EXISTS (SELECT 1 FROM review_items x
                           WHERE x.article_id = r.article_id AND x.taxonomy = m.taxonomy
                             AND 'label_issue' = ANY (x.reasons))
        ORDER BY r.article_id
       ON CONFLICT (article_id, taxonomy)
          WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication')
          DO UPDATE SET reasons = array_append(ri.reasons, 'label_issue'),
                        given_label = excluded.given_label,
                        suggested_label = excluded.suggested_label,
                        suggestion_score = excluded.suggestion_score,
                        updated_at = now()
          -- A run racing this one may have queued it a moment ago.
          WHERE NOT ('label_issue' = ANY (ri.reasons))
       RETURNING ri.id, ri.article_id, ri.reasons, ri.status, ri.required_labels,
                 (ri.xmax = 0) AS inserted
     ), audited AS (
       INSERT INTO review_audit (item_id, article_id, actor, event, after, reasons)
       SELECT id, article_id, $2, 'queued',
              jsonb_build_object('status', status, 'requiredLabels', required_labels), reasons
         FROM up WHERE inserted
     )
     SELECT id, inserted FROM up`,
    [
      JSON.stringify(unique.map((i) => ({
        article_id: i.articleId,
        model_version: i.modelVersion,
        given: i.given,
        suggested: i.suggested,
        score: i.score,
        scores: i.scores,
        margin: margin(i.scores),
        required_labels: i.requiredLabels,
      }))),
      options.actor,
    ],
  );
  const ids = (inserted: boolean) =>
    rows.filter((r) => r.inserted === inserted).map((r) => r.id).sort((a, b) => a - b);
  return { queued: ids(true), attached: ids(false), skipped: unique.length - rows.length };
}

/** Top-1 minus top-2 probability, as for every other item. */
function margin(scores: Record<string, number>): number {
  const [a = 0, b = 0] = Object.values(scores).sort((x, y) => y - x);
  return a - b;
}
