/**
 * Articles stored before two-word phrases were counted (migration 0013): reading them a
 * batch at a time, and storing their phrases with the statistics they add.
 */
import type { Queryable } from "./mod.ts";
import { queueArticleStats } from "./trends.ts";

/** An article whose phrases are not counted yet, with what its statistics are keyed by. */
export interface PendingPhrases {
  id: number;
  title: string;
  body: string;
  topic: string;
  source: string;
  publishedAt: string;
  terms: Record<string, number>;
}

/** Up to `limit` articles marked `phrases_pending`, by id (an index scan). */
export async function articlesWithPendingPhrases(
  db: Queryable,
  limit: number,
): Promise<PendingPhrases[]> {
  const rows = await db.query<{
    id: number;
    title: string;
    body: string;
    topic: string;
    source: string;
    published_at: Date;
    terms: Record<string, number> | null;
  }>(
    `SELECT id, title, body, coalesce(topic, '') AS topic, coalesce(source, '') AS source,
            published_at, terms
       FROM articles WHERE phrases_pending ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    body: r.body,
    topic: r.topic,
    source: r.source,
    publishedAt: new Date(r.published_at).toISOString(),
    terms: r.terms ?? {},
  }));
}

/**
 * Stores each article's terms with its phrases and queues the phrases' counts under the
 * article's current topic (the one its words are counted under), then clears the mark.
 * Call it in one transaction, so a phrase is never counted without being stored.
 */
export async function addArticlePhrases(
  tx: Queryable,
  rows: Array<{ article: PendingPhrases; phrases: Map<string, number> }>,
): Promise<void> {
  if (rows.length === 0) return;
  await queueArticleStats(
    tx,
    rows.filter((r) => r.phrases.size > 0).map(({ article, phrases }) => ({
      publishedAt: article.publishedAt,
      topic: article.topic,
      source: article.source,
      terms: phrases,
      termsOnly: true,
    })),
  );
  const payload = rows.map(({ article, phrases }) => ({
    id: article.id,
    terms: { ...article.terms, ...Object.fromEntries(phrases) },
  }));
  await tx.query(
    `UPDATE articles a SET terms = r.terms, phrases_pending = NULL
       FROM jsonb_to_recordset($1::text::jsonb) AS r(id bigint, terms jsonb)
      WHERE a.id = r.id`,
    [JSON.stringify(payload)],
  );
}
