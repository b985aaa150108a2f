/**
 * zod schemas the review endpoints share (an item, its filters, a decision,
 * an audit entry) and the small helpers their route definitions use. A
 * schema only one sub-app uses lives beside its routes.
 */
import { z } from "@hono/zod-openapi";
import {
  DECISION_ACTIONS,
  FLAG_REASONS,
  REVIEW_REASONS,
  REVIEW_STATUSES,
} from "../../../db/review/mod.ts";
import { TAXONOMY_NAME } from "../../../db/models.ts";
import { ErrorSchema, text, timestamp } from "../schemas.ts";

export const json = <T>(schema: T) => ({ "application/json": { schema } });
export const conflict = (description: string) => ({ description, content: json(ErrorSchema) });
export const notFound = { description: "No such review item", content: json(ErrorSchema) };
export const secured = [{ ApiKey: [] }];

export const Reason = z.enum(REVIEW_REASONS);
export const Status = z.enum(REVIEW_STATUSES);
export const FlagReason = z.enum(FLAG_REASONS);

const ItemState = z.object({
  status: Status,
  labelCount: z.number().int(),
  finalLabel: z.string().nullable(),
  finalFlag: z.string().nullable(),
  leaseHolder: z.string().nullable(),
}).openapi("ReviewItemState");

export const ReviewItemSchema = z.object({
  id: z.number().int(),
  articleId: z.number().int(),
  modelVersion: z.string(),
  taxonomy: z.string().openapi({ description: "The taxonomy of the model (topic, section, …)" }),
  labels: z.array(z.string()).openapi({ description: "The model's label set" }),
  predictedLabel: z.string(),
  score: z.number(),
  scores: z.record(z.string(), z.number()),
  margin: z.number().openapi({ description: "Top-1 minus top-2 probability" }),
  reasons: z.array(Reason).openapi({ description: "Why the item was queued" }),
  shadowVersion: z.string().nullable(),
  shadowLabel: z.string().nullable(),
  labelIssue: z.object({
    given: z.string().openapi({ description: "The label the data came with" }),
    suggested: z.string().openapi({ description: "The label a cross-fitted model suggests" }),
    score: z.number().openapi({
      description: "Quality of the given label in [0, 1]; lower is more likely wrong",
    }),
  }).nullable().openapi({ description: "Suspected label error (reason label_issue), else null" }),
  status: Status,
  requiredLabels: z.number().int(),
  labelCount: z.number().int(),
  leaseHolder: z.string().nullable(),
  leaseExpiresAt: z.string().nullable(),
  finalLabel: z.string().nullable(),
  finalFlag: FlagReason.nullable(),
  adjudicatedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  article: z.object({
    id: z.number().int(),
    title: z.string(),
    source: z.string().nullable(),
    url: z.string().nullable(),
    language: z.string().nullable(),
    publishedAt: z.string(),
    body: z.string().optional(),
    summary: z.string().nullable().optional(),
  }),
}).openapi("ReviewItem");

/** Filters of listing, claiming and bulk accept. */
export const Filters = z.object({
  reason: Reason.optional(),
  label: text(1, 200).optional().openapi({ description: "Predicted label" }),
  source: text(1, 200).optional(),
  modelVersion: text(1, 200).optional(),
  taxonomy: z.string().regex(TAXONOMY_NAME).optional().openapi({
    description: "Items reviewing this taxonomy's predictions (topic, section, …)",
  }),
  language: z.string().max(16).optional(),
  minScore: z.coerce.number().min(0).max(1).optional(),
  maxScore: z.coerce.number().min(0).max(1).optional(),
  since: timestamp().optional().openapi({ description: "Article publishedAt ≥ since" }),
  until: timestamp().optional().openapi({ description: "Article publishedAt < until" }),
});

export const Order = z.enum(["margin", "oldest", "newest"]).openapi({
  description: "margin: most informative (smallest top-2 margin) first",
});

/** A decision's fields, with `extra` fields on each action's shape. */
export function decisionSchema<E extends z.ZodRawShape>(extra: E) {
  const note = text(1, 2000).optional();
  return z.discriminatedUnion("action", [
    z.object({ action: z.literal("accept"), note, ...extra }).strict(),
    z.object({ action: z.literal("label"), label: text(1, 200), note, ...extra }).strict(),
    z.object({ action: z.literal("skip"), note, ...extra }).strict(),
    z.object({ action: z.literal("flag"), flagReason: FlagReason, note, ...extra }).strict(),
  ]);
}

export const DecisionSchema = decisionSchema({}).openapi("ReviewDecision");

/** The id a review desk page makes when it loads, to claim under and give back by. */
export const DeskId = z.uuid().openapi({
  description: "An id the client made for its review desk (a UUID, one per page load): " +
    "items claimed under it can all be given back at once (`releaseDesk`), even those " +
    "whose claim's answer the client never read; a desk given back claims nothing more",
});

/** The id a client gives a decision, so that sending it again stores it once. */
export const DecisionId = z.uuid().openapi({
  description: "An id the client made for this decision (a UUID): a decision sent again " +
    "with the same id is stored once, and the answer is the same",
});

export const IdParam = z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) });

export const AUDIT_EVENTS = [
  "queued",
  "decided",
  "bulk_accepted",
  "undone",
  "adjudicated",
  "released",
] as const;

export const AuditSchema = z.object({
  id: z.number().int(),
  itemId: z.number().int(),
  articleId: z.number().int(),
  actor: z.string(),
  event: z.enum(AUDIT_EVENTS),
  action: z.enum(DECISION_ACTIONS).nullable(),
  label: z.string().nullable(),
  flagReason: FlagReason.nullable(),
  note: z.string().nullable(),
  before: ItemState.nullable(),
  after: z.record(z.string(), z.unknown()),
  reasons: z.array(Reason),
  at: z.string(),
}).openapi("ReviewAuditEntry");
