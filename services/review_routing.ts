/**
 * Which predictions go to human review, and why: low confidence (top
 * probability below REVIEW_THRESHOLD), disagreement with an active shadow
 * model, a random audit sample (REVIEW_AUDIT_RATE, so confident predictions
 * are checked too), or an article in a language the model was not made for
 * (REVIEW_LANGUAGES). Called by ingestion inside its transaction.
 */
import { articleExists } from "../db/articles.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { activeModelVersion, DEFAULT_TAXONOMY } from "../db/models.ts";
import { predictionsFor } from "../db/predictions.ts";
import {
  enqueueReviewItems,
  getReviewItem,
  insertShadowPredictions,
  type NewReviewItem,
  type ReviewItem,
  type ReviewReason,
} from "../db/review/mod.ts";
import type { Prediction } from "../ml/mod.ts";
import type { Config } from "../lib/config.ts";
import { done, type Outcome, refuse } from "./outcome.ts";

/** How predictions are routed to review. */
export interface ReviewPolicy {
  /** Queue when the top probability is below this (REVIEW_THRESHOLD). */
  threshold: number;
  /** Share of all predictions queued at random as an audit (REVIEW_AUDIT_RATE). */
  auditRate: number;
  /** Independent decisions each item needs (REVIEW_OVERLAP). */
  overlap: number;
  /**
   * Languages the model is meant for (REVIEW_LANGUAGES); an article tagged with
   * another is queued. Empty: no language routing.
   */
  languages: string[];
}

/** The policy the configuration asks for. */
export function reviewPolicy(config: Config): ReviewPolicy {
  return {
    threshold: config.reviewThreshold,
    auditRate: config.reviewAuditRate,
    overlap: config.reviewOverlap,
    languages: config.reviewLanguages,
  };
}

/** One fresh prediction, as ingestion has it. */
export interface RoutedPrediction {
  articleId: number;
  modelVersion: string;
  prediction: Prediction;
  /** The article's language (given or detected), when known. */
  language?: string | null;
  /** The shadow model's prediction for the same text, when shadow mode is on. */
  shadow?: { modelVersion: string; prediction: Prediction } | null;
}

/** Top-1 minus top-2 probability (the top probability itself for a one-label model). */
export function predictionMargin(p: Prediction): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const v of Object.values(p.scores)) {
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  if (first === -Infinity) return p.score;
  return second === -Infinity ? first : first - second;
}

const primaryLanguage = (tag: string) => tag.toLowerCase().split("-")[0];

/**
 * Why `item` needs review under `policy`, possibly nothing. The audit draw is
 * made for every prediction, confident or not, so the audit sample is a
 * uniform sample of traffic.
 */
export function reviewReasons(
  item: RoutedPrediction,
  policy: ReviewPolicy,
  random: () => number = Math.random,
): ReviewReason[] {
  const reasons: ReviewReason[] = [];
  if (item.prediction.score < policy.threshold) reasons.push("low_confidence");
  if (item.shadow && item.shadow.prediction.label !== item.prediction.label) {
    reasons.push("shadow_disagreement");
  }
  if (random() < policy.auditRate) reasons.push("audit");
  if (
    policy.languages.length > 0 && item.language &&
    !policy.languages.map(primaryLanguage).includes(primaryLanguage(item.language))
  ) {
    reasons.push("language");
  }
  return reasons;
}

/**
 * Routes fresh predictions: records every shadow prediction (for shadow
 * agreement) and queues the predictions that need review, each with its
 * reasons, margin and `policy.overlap` required decisions. Run it inside the
 * ingestion transaction (`tx`) so articles, predictions and queue entries
 * commit together. An article queued before is not queued again. Returns how
 * many items were queued.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => {
 *   // ... insert articles and predictions ...
 *   await queueForReview(tx, [{ articleId, modelVersion, prediction }], reviewPolicy(config));
 * });
 * ```
 */
export async function queueForReview(
  tx: Queryable,
  items: readonly RoutedPrediction[],
  policy: ReviewPolicy,
  random: () => number = Math.random,
): Promise<number> {
  await insertShadowPredictions(
    tx,
    items.flatMap((i) =>
      i.shadow
        ? [{
          articleId: i.articleId,
          activeVersion: i.modelVersion,
          activeLabel: i.prediction.label,
          shadowVersion: i.shadow.modelVersion,
          ...i.shadow.prediction,
        }]
        : []
    ),
  );
  const queued: NewReviewItem[] = [];
  for (const item of items) {
    const reasons = reviewReasons(item, policy, random);
    if (reasons.length === 0) continue;
    const disagreeing = reasons.includes("shadow_disagreement");
    queued.push({
      articleId: item.articleId,
      modelVersion: item.modelVersion,
      predictedLabel: item.prediction.label,
      score: item.prediction.score,
      scores: item.prediction.scores,
      margin: predictionMargin(item.prediction),
      reasons,
      shadowVersion: disagreeing ? item.shadow!.modelVersion : null,
      shadowLabel: disagreeing ? item.shadow!.prediction.label : null,
      requiredLabels: policy.overlap,
    });
  }
  return (await enqueueReviewItems(tx, queued, { actor: "router", onlyNew: true })).length;
}

/** Why an article cannot be queued by hand. */
export type QueueRefusalCode = "articleNotFound" | "noPrediction" | "alreadyQueued";

/**
 * Queues an article by hand (reason `manual`), with one taxonomy's prediction
 * (default `topic`) by its active model (else its latest one). Refuses an
 * unknown article (`articleNotFound`), one with no prediction in that taxonomy
 * (`noPrediction`) or already in that taxonomy's queue (`alreadyQueued`).
 */
export async function queueManually(
  db: Db,
  actor: string,
  articleId: number,
  policy: ReviewPolicy,
  options: { note?: string; taxonomy?: string } = {},
): Promise<Outcome<ReviewItem, QueueRefusalCode>> {
  const { note, taxonomy = DEFAULT_TAXONOMY } = options;
  if (!(await articleExists(db, articleId))) {
    return refuse("articleNotFound", `No article ${articleId}.`);
  }
  const predictions = (await predictionsFor(db, articleId)).filter((x) => x.taxonomy === taxonomy);
  const active = await activeModelVersion(db, taxonomy);
  const p = predictions.find((x) => x.modelVersion === active) ?? predictions[0];
  if (!p) {
    return refuse("noPrediction", `Article ${articleId} has no ${taxonomy} prediction to review.`);
  }
  const [id] = await db.transaction((tx) =>
    enqueueReviewItems(tx, [{
      articleId,
      modelVersion: p.modelVersion,
      predictedLabel: p.label,
      score: p.score,
      scores: p.scores,
      margin: predictionMargin(p),
      reasons: ["manual"],
      requiredLabels: policy.overlap,
    }], { actor, onlyNew: false, note })
  );
  if (id === undefined) {
    return refuse(
      "alreadyQueued",
      `Article ${articleId} is already in the ${taxonomy} review queue.`,
    );
  }
  return done((await getReviewItem(db, id))!);
}
