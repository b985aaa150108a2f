/**
 * Which reviewed labels more than one person stands behind: an article's final reviewed
 * label counts as agreed when at least `minPeople` distinct people chose it — reviewers
 * whose decision (not undone, not a bulk accept) on one of the article's finished items
 * named that label, and the admin who adjudicated such an item. A retrain is judged only
 * on agreed labels, so one reviewer's labels can never be the judge of a model trained on them.
 */
import type { Queryable } from "../mod.ts";

/** Ids of the articles whose latest reviewed label at least `minPeople` people chose. */
export async function agreedArticleIds(
  db: Queryable,
  options: { minPeople: number; taxonomy?: string },
): Promise<Set<number>> {
  const rows = await db.query<{ article_id: number | string }>(
    `WITH latest AS (
       SELECT DISTINCT ON (article_id) article_id, status, final_label
         FROM review_items
        WHERE status IN ('done', 'skipped', 'flagged') AND taxonomy = $1
        ORDER BY article_id, decided_at DESC, id DESC
     )
     SELECT l.article_id
       FROM latest l
       JOIN review_items ri
         ON ri.article_id = l.article_id AND ri.taxonomy = $1
        AND ri.status = 'done' AND ri.final_label = l.final_label
       CROSS JOIN LATERAL (
         SELECT rl.reviewer AS person FROM review_labels rl
          WHERE rl.item_id = ri.id AND rl.retracted_at IS NULL AND NOT rl.bulk
            AND rl.label = l.final_label
         UNION
         SELECT ri.adjudicated_by WHERE ri.adjudicated_by IS NOT NULL
       ) p
      WHERE l.status = 'done'
      GROUP BY l.article_id
     HAVING count(DISTINCT p.person) >= $2`,
    [options.taxonomy ?? "topic", Math.max(1, Math.floor(options.minPeople))],
  );
  return new Set(rows.map((r) => Number(r.article_id)));
}
