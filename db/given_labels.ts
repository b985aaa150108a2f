/**
 * The labels labelled data came with (`given_labels`): one per article, from the data
 * set it was seeded from. Training reads its files; this keeps the labels beside the
 * stored articles so suspected label errors can be ranked from the database.
 */
import type { Queryable } from "./mod.ts";

/** An article's given label and where it came from. */
export interface GivenLabel {
  articleId: number;
  label: string;
  /** The file, folder or hub data set the label was read from. */
  source: string;
}

/** A given label with its article's text, for ranking. */
export interface LabelledArticle {
  articleId: number;
  title: string;
  body: string;
  label: string;
}

/**
 * Stores given labels; an article seeded again keeps the label it was seeded with last
 * (so a corrected file corrects it). Returns how many rows were written.
 */
export async function storeGivenLabels(
  db: Queryable,
  labels: readonly GivenLabel[],
): Promise<number> {
  if (labels.length === 0) return 0;
  const rows = await db.query<{ article_id: number }>(
    `INSERT INTO given_labels (article_id, label, source)
     SELECT r.article_id, r.label, r.source
       FROM jsonb_to_recordset($1::text::jsonb) AS r(article_id bigint, label text, source text)
      ORDER BY r.article_id
     ON CONFLICT (article_id) DO UPDATE SET label = excluded.label, source = excluded.source
       WHERE (given_labels.label, given_labels.source) IS DISTINCT FROM
             (excluded.label, excluded.source)
     RETURNING article_id`,
    [JSON.stringify(
      // One row per article: a data set holding an article twice keeps its last label.
      [...new Map(labels.map((l) => [l.articleId, l])).values()].map((l) => ({
        article_id: l.articleId,
        label: l.label,
        source: l.source,
      })),
    )],
  );
  return rows.length;
}

/**
 * Labelled articles in id order: those of `articleIds` when given, else all of them;
 * at most `limit` (the caller's bound on the work that follows).
 */
export async function labelledArticles(
  db: Queryable,
  options: { articleIds?: readonly number[]; limit: number },
): Promise<LabelledArticle[]> {
  const params: unknown[] = [options.limit];
  let where = "";
  if (options.articleIds) {
    params.push(JSON.stringify(options.articleIds));
    where = "WHERE g.article_id IN (SELECT jsonb_array_elements_text($2::text::jsonb)::bigint)";
  }
  const rows = await db.query<{ article_id: number; title: string; body: string; label: string }>(
    `SELECT g.article_id, a.title, a.body, g.label
       FROM given_labels g JOIN articles a ON a.id = g.article_id
      ${where}
      ORDER BY g.article_id
      LIMIT $1`,
    params,
  );
  return rows.map((r) => ({
    articleId: Number(r.article_id),
    title: r.title,
    body: r.body,
    label: r.label,
  }));
}

/** How many articles have a given label. */
export async function countGivenLabels(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM given_labels");
  return row.n;
}
