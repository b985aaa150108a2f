/**
 * How a review item is read: the columns of its view (with expired leases
 * shown as returned to the queue), the row → {@link ReviewItem} mapping, and
 * the WHERE clauses of the filters listing, claiming and bulk accept share.
 */
import type { Queryable } from "../mod.ts";
import type { FlagReason, ReviewFilter, ReviewItem, ReviewReason, ReviewStatus } from "./types.ts";

/** SQL for the status an item has now, with expired leases returned to the queue. */
export const EFFECTIVE_STATUS = `(CASE
  WHEN ri.status = 'claimed' AND ri.lease_expires_at <= now()
    THEN (CASE WHEN ri.label_count > 0 THEN 'labelled' ELSE 'queued' END)
  ELSE ri.status END)`;

/** SQL: `reviewer` (the parameter `param`) has no decision in force on the item. */
export const NOT_DECIDED_BY = (param: string) =>
  `NOT EXISTS (SELECT 1 FROM review_labels l
                WHERE l.item_id = ri.id AND l.reviewer = ${param} AND l.retracted_at IS NULL)`;

/** Appends WHERE clauses for `filter`, numbering parameters after `params`. */
export function filterClauses(filter: ReviewFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll("?", `$${params.length}`));
  };
  if (filter.status !== undefined) add(`${EFFECTIVE_STATUS} = ?`, filter.status);
  if (filter.reason !== undefined) add("? = ANY (ri.reasons)", filter.reason);
  if (filter.label !== undefined) add("ri.predicted_label = ?", filter.label);
  if (filter.source !== undefined) add("a.source = ?", filter.source);
  if (filter.modelVersion !== undefined) add("ri.model_version = ?", filter.modelVersion);
  if (filter.taxonomy !== undefined) add("ri.taxonomy = ?", filter.taxonomy);
  if (filter.language !== undefined) add("a.language = ?", filter.language);
  if (filter.minScore !== undefined) add("ri.score >= ?", filter.minScore);
  if (filter.maxScore !== undefined) add("ri.score <= ?", filter.maxScore);
  if (filter.since !== undefined) add("a.published_at >= ?::timestamptz", filter.since);
  if (filter.until !== undefined) add("a.published_at < ?::timestamptz", filter.until);
  if (filter.decidedBy !== undefined) {
    params.push(filter.decidedBy);
    where.push(`NOT ${NOT_DECIDED_BY(`$${params.length}`)}`);
  }
  return where;
}

/** Columns of an item view, from `review_items ri JOIN articles a JOIN models m`. */
export const ITEM_COLUMNS = `ri.id, ri.article_id, ri.model_version, ri.taxonomy,
  m.labels AS model_labels,
  ri.predicted_label, ri.score, ri.scores, ri.margin, ri.reasons, ri.shadow_version,
  ri.shadow_label, ri.given_label, ri.suggested_label, ri.suggestion_score,
  ${EFFECTIVE_STATUS} AS status, ri.required_labels, ri.label_count,
  CASE WHEN ri.lease_expires_at > now() THEN ri.lease_holder END AS lease_holder,
  CASE WHEN ri.lease_expires_at > now() THEN ri.lease_expires_at END AS lease_expires_at,
  ri.final_label, ri.final_flag, ri.adjudicated_by, ri.decided_at, ri.created_at, ri.updated_at,
  a.title, a.source, a.url, a.language, a.published_at`;

/** Body and summary too; `to_jsonb` reads the summary whether or not the column exists yet. */
export const ITEM_DETAIL_COLUMNS = `${ITEM_COLUMNS}, a.body, to_jsonb(a) ->> 'summary' AS summary`;

export const ITEM_FROM = `review_items ri
  JOIN articles a ON a.id = ri.article_id
  JOIN models m ON m.version = ri.model_version`;

export interface ItemRow {
  id: number;
  article_id: number;
  model_version: string;
  taxonomy: string;
  model_labels: string[];
  predicted_label: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadow_version: string | null;
  shadow_label: string | null;
  given_label: string | null;
  suggested_label: string | null;
  suggestion_score: number | null;
  status: ReviewStatus;
  required_labels: number;
  label_count: number;
  lease_holder: string | null;
  lease_expires_at: Date | null;
  final_label: string | null;
  final_flag: FlagReason | null;
  adjudicated_by: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
  title: string;
  source: string | null;
  url: string | null;
  language: string | null;
  published_at: Date;
  body?: string;
  summary?: string | null;
}

const iso = (d: Date | string | null) => d === null ? null : new Date(d).toISOString();

/** The API's view of an item row. */
export function toItem(r: ItemRow): ReviewItem {
  return {
    id: r.id,
    articleId: r.article_id,
    modelVersion: r.model_version,
    taxonomy: r.taxonomy,
    labels: r.model_labels,
    predictedLabel: r.predicted_label,
    score: r.score,
    scores: r.scores,
    margin: r.margin,
    reasons: r.reasons,
    shadowVersion: r.shadow_version,
    shadowLabel: r.shadow_label,
    labelIssue: r.given_label !== null && r.suggested_label !== null
      ? { given: r.given_label, suggested: r.suggested_label, score: r.suggestion_score ?? 0 }
      : null,
    status: r.status,
    requiredLabels: r.required_labels,
    labelCount: r.label_count,
    leaseHolder: r.lease_holder,
    leaseExpiresAt: iso(r.lease_expires_at),
    finalLabel: r.final_label,
    finalFlag: r.final_flag,
    adjudicatedBy: r.adjudicated_by,
    decidedAt: iso(r.decided_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    article: {
      id: r.article_id,
      title: r.title,
      source: r.source,
      url: r.url,
      language: r.language,
      publishedAt: iso(r.published_at)!,
      ...(r.body === undefined ? {} : { body: r.body, summary: r.summary ?? null }),
    },
  };
}

/** One item with its article's body, or null. */
export async function getReviewItem(db: Queryable, id: number): Promise<ReviewItem | null> {
  const [row] = await db.query<ItemRow>(
    `SELECT ${ITEM_DETAIL_COLUMNS} FROM ${ITEM_FROM} WHERE ri.id = $1`,
    [id],
  );
  return row ? toItem(row) : null;
}
