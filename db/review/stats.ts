/**
 * Review figures and learning: counts by status, reason, label and reviewer;
 * the ratings agreement is computed from; the final label per article for
 * training; how many reviewed labels are newer than the active model.
 */
import type { Queryable } from "../mod.ts";
import { EFFECTIVE_STATUS } from "./items.ts";
import { REVIEW_STATUSES, type ReviewReason, type ReviewStatus } from "./types.ts";

export interface ReviewerCounts {
  reviewer: string;
  /** Decisions in force (not undone). */
  decisions: number;
  accept: number;
  label: number;
  skip: number;
  flag: number;
  /** Of the decisions, those made by bulk accept. */
  bulk: number;
  undone: number;
  /** Decisions on finished items that match the item's outcome. */
  matchingOutcome: number;
  /** Decisions on finished items (the denominator of `matchingOutcome`). */
  onFinished: number;
  lastDecisionAt: string | null;
}

export interface ReviewCounts {
  total: number;
  byStatus: Record<ReviewStatus, number>;
  byReason: Partial<Record<ReviewReason, number>>;
  /** Items per predicted label: all, and still open. */
  byPredictedLabel: Array<{ label: string; total: number; open: number }>;
  /** Finished items per final label. */
  byFinalLabel: Array<{ label: string; count: number }>;
  byReviewer: ReviewerCounts[];
}

/** SQL: the item `ri` is of the taxonomy in parameter $1, or $1 is null (all of them). */
const OF_TAXONOMY = "($1::text IS NULL OR ri.taxonomy = $1)";

/** Queue counts, of one taxonomy's items when `taxonomy` is given; a handful of aggregate queries. */
export async function reviewCounts(db: Queryable, taxonomy?: string): Promise<ReviewCounts> {
  const t = [taxonomy ?? null];
  const status = await db.query<{ status: ReviewStatus; n: number }>(
    `SELECT ${EFFECTIVE_STATUS} AS status, count(*)::int AS n FROM review_items ri
      WHERE ${OF_TAXONOMY} GROUP BY 1`,
    t,
  );
  const byStatus = Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<
    ReviewStatus,
    number
  >;
  for (const r of status) byStatus[r.status] = r.n;
  const reasons = await db.query<{ reason: ReviewReason; n: number }>(
    `SELECT reason, count(*)::int AS n FROM review_items ri, unnest(ri.reasons) AS reason
      WHERE ${OF_TAXONOMY} GROUP BY reason ORDER BY reason`,
    t,
  );
  const predicted = await db.query<{ label: string; total: number; open: number }>(
    `SELECT predicted_label AS label, count(*)::int AS total,
            (count(*) FILTER (WHERE status IN ('queued', 'claimed', 'labelled',
                                               'needs_adjudication')))::int AS open
       FROM review_items ri WHERE ${OF_TAXONOMY} GROUP BY predicted_label ORDER BY predicted_label`,
    t,
  );
  const final = await db.query<{ label: string; count: number }>(
    `SELECT final_label AS label, count(*)::int AS count FROM review_items ri
      WHERE status = 'done' AND ${OF_TAXONOMY} GROUP BY final_label ORDER BY final_label`,
    t,
  );
  const reviewers = await db.query<{
    reviewer: string;
    decisions: number;
    accept: number;
    label: number;
    skip: number;
    flag: number;
    bulk: number;
    undone: number;
    matching: number;
    on_finished: number;
    last_at: Date | null;
  }>(
    `SELECT l.reviewer,
            (count(*) FILTER (WHERE l.retracted_at IS NULL))::int AS decisions,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND l.action = 'accept'))::int AS accept,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND l.action = 'label'))::int AS label,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND l.action = 'skip'))::int AS skip,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND l.action = 'flag'))::int AS flag,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND l.bulk))::int AS bulk,
            (count(*) FILTER (WHERE l.retracted_at IS NOT NULL))::int AS undone,
            (count(*) FILTER (WHERE l.retracted_at IS NULL AND ri.status IN ('done', 'skipped', 'flagged')
               AND l.category = CASE ri.status WHEN 'done' THEN ri.final_label
                                               WHEN 'skipped' THEN '!skip' ELSE '!flag' END))::int
              AS matching,
            (count(*) FILTER (WHERE l.retracted_at IS NULL
               AND ri.status IN ('done', 'skipped', 'flagged')))::int AS on_finished,
            max(l.created_at) FILTER (WHERE l.retracted_at IS NULL) AS last_at
       FROM review_labels l JOIN review_items ri ON ri.id = l.item_id
      WHERE ${OF_TAXONOMY}
      GROUP BY l.reviewer ORDER BY l.reviewer`,
    t,
  );
  return {
    total: status.reduce((sum, r) => sum + r.n, 0),
    byStatus,
    byReason: Object.fromEntries(reasons.map((r) => [r.reason, r.n])),
    byPredictedLabel: predicted,
    byFinalLabel: final,
    byReviewer: reviewers.map((r) => ({
      reviewer: r.reviewer,
      decisions: r.decisions,
      accept: r.accept,
      label: r.label,
      skip: r.skip,
      flag: r.flag,
      bulk: r.bulk,
      undone: r.undone,
      matchingOutcome: r.matching,
      onFinished: r.on_finished,
      lastDecisionAt: r.last_at === null ? null : new Date(r.last_at).toISOString(),
    })),
  };
}

/** Items (newest first, at most this many) whose ratings agreement statistics read. */
export const MAX_AGREEMENT_ITEMS = 50_000;

/**
 * The decisions in force on items that have at least two, as ratings: the
 * label, or `!skip` / `!flag`. Bounded to the newest MAX_AGREEMENT_ITEMS items; of
 * one taxonomy's items when `taxonomy` is given.
 */
export async function reviewRatings(
  db: Queryable,
  taxonomy?: string,
): Promise<Array<{ item: number; rater: string; category: string }>> {
  return await db.query<{ item: number; rater: string; category: string }>(
    `WITH multi AS (
       SELECT item_id FROM review_labels
        WHERE retracted_at IS NULL
          AND ($2::text IS NULL
               OR item_id IN (SELECT id FROM review_items WHERE taxonomy = $2))
        GROUP BY item_id HAVING count(*) >= 2
        ORDER BY item_id DESC LIMIT $1
     )
     SELECT l.item_id AS item, l.reviewer AS rater, l.category
       FROM review_labels l JOIN multi ON multi.item_id = l.item_id
      WHERE l.retracted_at IS NULL`,
    [MAX_AGREEMENT_ITEMS, taxonomy ?? null],
  );
}

/** An article's final reviewed label. */
export interface ReviewedLabel {
  articleId: number;
  title: string;
  body: string;
  label: string;
  /** The model's prediction the review started from. */
  predictedLabel: string;
  modelVersion: string;
  decidedAt: string;
}

/**
 * The reviewed label of every article whose latest finished review chose a
 * label (a later flag or skip withdraws it), for training: reviewed labels win
 * over the original ones.
 */
export async function reviewedLabels(
  db: Queryable,
  taxonomy = "topic",
): Promise<ReviewedLabel[]> {
  const rows = await db.query<{
    article_id: number;
    title: string;
    body: string;
    final_label: string;
    predicted_label: string;
    model_version: string;
    decided_at: Date;
  }>(
    `SELECT latest.article_id, a.title, a.body, latest.final_label, latest.predicted_label,
            latest.model_version, latest.decided_at
       FROM (SELECT DISTINCT ON (article_id) article_id, status, final_label, predicted_label,
                    model_version, decided_at
               FROM review_items
              WHERE status IN ('done', 'skipped', 'flagged') AND taxonomy = $1
              ORDER BY article_id, decided_at DESC, id DESC) AS latest
       JOIN articles a ON a.id = latest.article_id
      WHERE latest.status = 'done'
      ORDER BY latest.article_id`,
    [taxonomy],
  );
  return rows.map((r) => ({
    articleId: r.article_id,
    title: r.title,
    body: r.body,
    label: r.final_label,
    predictedLabel: r.predicted_label,
    modelVersion: r.model_version,
    decidedAt: new Date(r.decided_at).toISOString(),
  }));
}

export interface NewLabelsSinceTraining {
  activeModel: string | null;
  /** When the active model was registered (its training time for trained models). */
  activeModelCreatedAt: string | null;
  /** Items finished with a label after that (all of them when no model is active). */
  newReviewedLabels: number;
  totalReviewedLabels: number;
}

/** How many reviewed labels of `taxonomy` its active model has not been trained on. */
export async function newLabelsSinceTraining(
  db: Queryable,
  taxonomy = "topic",
): Promise<NewLabelsSinceTraining> {
  const [row] = await db.query<
    { version: string | null; created_at: Date | null; n: number; total: number }
  >(
    `WITH active AS (
       SELECT m.version, m.created_at FROM model_activations act
         JOIN models m ON m.version = act.version
        WHERE act.taxonomy = $1
        ORDER BY act.id DESC LIMIT 1
     )
     SELECT (SELECT version FROM active) AS version,
            (SELECT created_at FROM active) AS created_at,
            (count(*) FILTER (WHERE ri.decided_at >
               coalesce((SELECT created_at FROM active), '-infinity'::timestamptz)))::int AS n,
            count(*)::int AS total
       FROM review_items ri WHERE ri.status = 'done' AND ri.taxonomy = $1`,
    [taxonomy],
  );
  return {
    activeModel: row.version,
    activeModelCreatedAt: row.created_at === null ? null : new Date(row.created_at).toISOString(),
    newReviewedLabels: row.n,
    totalReviewedLabels: row.total,
  };
}

/** Open review items (not yet finished) per reason, for the queue-depth metric. */
export async function openItemsByReason(
  db: Queryable,
): Promise<Array<{ reason: string; count: number }>> {
  return await db.query<{ reason: string; count: number }>(
    `SELECT reason, count(*)::int AS count
       FROM review_items, unnest(reasons) AS reason
      WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication')
      GROUP BY reason ORDER BY reason`,
  );
}
