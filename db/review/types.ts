/**
 * The review queue's vocabulary: why an item is queued, the statuses it moves
 * through, the decisions a reviewer can make, and the shapes the queue returns.
 */

export const REVIEW_REASONS = [
  "low_confidence",
  "shadow_disagreement",
  "audit",
  "language",
  "manual",
  "label_issue",
] as const;
export type ReviewReason = typeof REVIEW_REASONS[number];

export const REVIEW_STATUSES = [
  "queued",
  "claimed",
  "labelled",
  "needs_adjudication",
  "done",
  "skipped",
  "flagged",
] as const;
export type ReviewStatus = typeof REVIEW_STATUSES[number];

export const DECISION_ACTIONS = ["accept", "label", "skip", "flag"] as const;
export type DecisionAction = typeof DECISION_ACTIONS[number];

export const FLAG_REASONS = ["not_news", "duplicate", "wrong_language", "other"] as const;
export type FlagReason = typeof FLAG_REASONS[number];

/** The default lease, in seconds (REVIEW_LEASE_SECONDS). */
export const DEFAULT_LEASE_SECONDS = 300;

/** A reviewer's (or adjudicator's) decision on one item. */
export interface Decision {
  action: DecisionAction;
  /** Required for `label`; must be one of the model's labels. Ignored for `accept`. */
  label?: string;
  /** Required for `flag`. */
  flagReason?: FlagReason;
  note?: string;
}

export interface ReviewArticle {
  id: number;
  title: string;
  source: string | null;
  url: string | null;
  language: string | null;
  publishedAt: string;
  /** Present on claims and item detail, not in listings. */
  body?: string;
  summary?: string | null;
}

/** A suspected label error's given label and the suggestion beside it. */
export interface LabelIssueSuggestion {
  given: string;
  suggested: string;
  score: number;
}

export interface ReviewItem {
  id: number;
  articleId: number;
  modelVersion: string;
  /** The taxonomy of that model (`topic`, `section`, …). */
  taxonomy: string;
  /** The model's label set: what a reviewer may choose from. */
  labels: string[];
  predictedLabel: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadowVersion: string | null;
  shadowLabel: string | null;
  /**
   * For a suspected label error (reason `label_issue`): the label the data came with, the
   * one a cross-fitted model suggests, and the given label's quality score (lower: more
   * likely wrong); null otherwise.
   */
  labelIssue: LabelIssueSuggestion | null;
  /** Effective status: a claim whose lease expired reads as `queued`/`labelled`. */
  status: ReviewStatus;
  requiredLabels: number;
  labelCount: number;
  leaseHolder: string | null;
  leaseExpiresAt: string | null;
  finalLabel: string | null;
  finalFlag: FlagReason | null;
  adjudicatedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
  article: ReviewArticle;
}

/** Filters shared by listing, claiming and bulk accept. */
export interface ReviewFilter {
  /** Effective status; listing only (claims and bulk accept take open items). */
  status?: ReviewStatus;
  reason?: ReviewReason;
  /** The predicted label. */
  label?: string;
  source?: string;
  modelVersion?: string;
  /** The taxonomy of the model whose prediction the item reviews. */
  taxonomy?: string;
  language?: string;
  minScore?: number;
  maxScore?: number;
  /** Article publication time ≥ since. */
  since?: string;
  /** Article publication time < until. */
  until?: string;
  /** Items this reviewer has an active decision on (listing only). */
  decidedBy?: string;
}

/** Filters of a bulk accept (open items only). */
export type BulkFilter = Omit<ReviewFilter, "status" | "decidedBy">;

export type ReviewOrder = "margin" | "oldest" | "newest";

/** The part of an item the audit log records as before/after. */
export interface ItemState {
  status: ReviewStatus;
  labelCount: number;
  finalLabel: string | null;
  finalFlag: string | null;
  leaseHolder: string | null;
}
