/**
 * Reviewed topics: an article's topic follows its review. Once an item about it is
 * settled with a label (`done`), that label is the article's topic; when no such
 * item is left (an undo), the model's prediction is again. The trend counters move
 * with it, in the same transaction: the article is taken back from its old topic's
 * counts and added to the new one's (queued, like ingestion's, for the next fold).
 * Only reviews of the `topic` taxonomy's predictions set the topic; another
 * taxonomy's (e.g. `section`) label is not a topic.
 */
import type { Db, Queryable } from "./mod.ts";
import { type ArticleStats, queueArticleStats } from "./trends.ts";

/**
 * Sets the topic of each of `articleIds` from its latest settled review (or its
 * prediction), and queues the counter changes of those whose topic changed. Call it
 * inside the transaction that settled the reviews.
 */
export async function applyReviewedTopics(tx: Queryable, articleIds: number[]): Promise<void> {
  if (articleIds.length === 0) return;
  const changed = await tx.query<{
    old_topic: string | null;
    topic: string | null;
    terms: Record<string, number> | null;
    source: string | null;
    published_at: Date;
  }>(
    `WITH target AS (
       SELECT a.id, a.topic AS old_topic, r.final_label
         FROM articles a
         LEFT JOIN LATERAL (
           SELECT ri.final_label FROM review_items ri
            WHERE ri.article_id = a.id AND ri.status = 'done' AND ri.taxonomy = 'topic'
            ORDER BY ri.decided_at DESC, ri.id DESC LIMIT 1
         ) r ON true
        WHERE a.id = ANY ($1::bigint[])
        ORDER BY a.id
          FOR UPDATE OF a
     )
     UPDATE articles a SET
            topic = coalesce(t.final_label, a.predicted_topic),
            topic_score = CASE WHEN t.final_label IS NULL THEN a.predicted_topic_score END,
            topic_reviewed = t.final_label IS NOT NULL
       FROM target t
      WHERE a.id = t.id
        AND (a.topic IS DISTINCT FROM coalesce(t.final_label, a.predicted_topic)
             OR a.topic_reviewed <> (t.final_label IS NOT NULL))
     RETURNING t.old_topic, a.topic, a.terms, a.source, a.published_at`,
    [articleIds],
  );
  const stats: ArticleStats[] = changed.filter((r) => r.old_topic !== r.topic).flatMap((r) => {
    const base = {
      publishedAt: new Date(r.published_at).toISOString(),
      source: r.source ?? "",
      // Stored at ingestion; empty only for an article `serve` has not filled in yet.
      terms: new Map(Object.entries(r.terms ?? {})),
    };
    // Ingestion counts an article without a topic under "".
    return [
      { ...base, topic: r.old_topic ?? "", weight: -1 as const },
      { ...base, topic: r.topic ?? "", weight: 1 as const },
    ];
  });
  await queueArticleStats(tx, stats);
}

/** Articles one {@link syncReviewedTopics} transaction takes at most. */
const SYNC_BATCH = 500;

/**
 * Applies settled reviews that an article's topic does not reflect yet (reviews
 * settled before topics followed them), a batch per transaction; returns how many
 * articles changed. Cheap when there are none: one indexed query.
 */
export async function syncReviewedTopics(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const ids = await tx.query<{ article_id: number }>(
        `SELECT DISTINCT ri.article_id FROM review_items ri
           JOIN articles a ON a.id = ri.article_id
          WHERE ri.status = 'done' AND ri.taxonomy = 'topic' AND NOT a.topic_reviewed
          ORDER BY ri.article_id LIMIT $1`,
        [SYNC_BATCH],
      );
      await applyReviewedTopics(tx, ids.map((r) => r.article_id));
      return ids.length;
    });
    total += n;
    if (n < SYNC_BATCH) return total;
  }
}
