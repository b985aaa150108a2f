/**
 * `/v1/review/...`: the human review queue. Reviewers are API-key names
 * (`c.get("principal")`); writes need a key, reads follow AUTH_READS.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getModel } from "../../db/models.ts";
import { predictionsFor } from "../../db/predictions.ts";
import {
  adjudicate,
  bulkAccept,
  claimNext,
  decide,
  DECISION_ACTIONS,
  EXPORT_FORMATS,
  exportStream,
  FLAG_REASONS,
  getReviewItem,
  heldBy,
  itemLabels,
  listAudit,
  listReviewItems,
  newLabelsSinceTraining,
  releaseItem,
  REVIEW_REASONS,
  REVIEW_STATUSES,
  reviewCounts,
  reviewRatings,
  setShadowModel,
  shadowAgreement,
  shadowModelVersion,
  undoLast,
} from "../../db/review/mod.ts";
import { AppError } from "../../lib/errors.ts";
import { queueManually, reviewPolicy } from "../../lib/review_routing.ts";
import { agreementSummary } from "../../ml/agreement.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema, text } from "./schemas.ts";
import { orThrow } from "./review/outcomes.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const conflict = (description: string) => ({ description, content: json(ErrorSchema) });
const notFound = { description: "No such review item", content: json(ErrorSchema) };
const secured = [{ ApiKey: [] }];

// ---------------------------------------------------------------- schemas

const Reason = z.enum(REVIEW_REASONS);
const Status = z.enum(REVIEW_STATUSES);
const FlagReason = z.enum(FLAG_REASONS);
const Timestamp = z.iso.datetime({ offset: true });

const ItemState = z.object({
  status: Status,
  labelCount: z.number().int(),
  finalLabel: z.string().nullable(),
  finalFlag: z.string().nullable(),
  leaseHolder: z.string().nullable(),
}).openapi("ReviewItemState");

const ReviewItemSchema = z.object({
  id: z.number().int(),
  articleId: z.number().int(),
  modelVersion: z.string(),
  labels: z.array(z.string()).openapi({ description: "The model's label set" }),
  predictedLabel: z.string(),
  score: z.number(),
  scores: z.record(z.string(), z.number()),
  margin: z.number().openapi({ description: "Top-1 minus top-2 probability" }),
  reasons: z.array(Reason).openapi({ description: "Why the item was queued" }),
  shadowVersion: z.string().nullable(),
  shadowLabel: z.string().nullable(),
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

const Filters = z.object({
  reason: Reason.optional(),
  label: text(1, 200).optional().openapi({ description: "Predicted label" }),
  source: text(1, 200).optional(),
  modelVersion: text(1, 200).optional(),
  language: z.string().max(16).optional(),
  minScore: z.coerce.number().min(0).max(1).optional(),
  maxScore: z.coerce.number().min(0).max(1).optional(),
  since: Timestamp.optional().openapi({ description: "Article publishedAt ≥ since" }),
  until: Timestamp.optional().openapi({ description: "Article publishedAt < until" }),
});

const Order = z.enum(["margin", "oldest", "newest"]).openapi({
  description: "margin: most informative (smallest top-2 margin) first",
});

const DecisionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("accept"), note: text(1, 2000).optional() }).strict(),
  z.object({
    action: z.literal("label"),
    label: text(1, 200),
    note: text(1, 2000).optional(),
  }).strict(),
  z.object({ action: z.literal("skip"), note: text(1, 2000).optional() }).strict(),
  z.object({
    action: z.literal("flag"),
    flagReason: FlagReason,
    note: text(1, 2000).optional(),
  }).strict(),
]).openapi("ReviewDecision");

const IdParam = z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) });

const LabelSchema = z.object({
  id: z.number().int(),
  reviewer: z.string(),
  action: z.enum(DECISION_ACTIONS),
  label: z.string().nullable(),
  flagReason: FlagReason.nullable(),
  note: z.string().nullable(),
  bulk: z.boolean(),
  createdAt: z.string(),
  retractedAt: z.string().nullable(),
}).openapi("ReviewLabel");

const AuditSchema = z.object({
  id: z.number().int(),
  itemId: z.number().int(),
  articleId: z.number().int(),
  actor: z.string(),
  event: z.enum(["queued", "decided", "bulk_accepted", "undone", "adjudicated", "released"]),
  action: z.enum(DECISION_ACTIONS).nullable(),
  label: z.string().nullable(),
  flagReason: FlagReason.nullable(),
  note: z.string().nullable(),
  before: ItemState.nullable(),
  after: z.record(z.string(), z.unknown()),
  reasons: z.array(Reason),
  at: z.string(),
}).openapi("ReviewAuditEntry");

const PredictionSchema = z.object({
  modelVersion: z.string(),
  label: z.string(),
  score: z.number(),
  scores: z.record(z.string(), z.number()),
  createdAt: z.string(),
});

// ---------------------------------------------------------------- routes

const listRoute = createRoute({
  method: "get",
  path: "/review/items",
  summary: "Review items with filters, most informative first, keyset-paginated",
  request: {
    query: Filters.extend({
      status: Status.optional(),
      decidedBy: text(1, 200).optional().openapi({ description: "Items this reviewer decided" }),
      order: Order.default("margin"),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page of items",
      content: json(z.object({
        items: z.array(ReviewItemSchema),
        nextCursor: z.string().nullable(),
      })),
    },
    ...errorResponses,
  },
});

const enqueueRoute = createRoute({
  method: "post",
  path: "/review/items",
  summary: "Queue an article for review by hand (reason `manual`)",
  security: secured,
  request: {
    body: {
      content: json(
        z.object({
          articleId: z.number().int().min(1),
          note: text(1, 2000).optional(),
        }).strict(),
      ),
      required: true,
    },
  },
  responses: {
    201: { description: "Queued", content: json(ReviewItemSchema) },
    404: { description: "No such article", content: json(ErrorSchema) },
    409: conflict("No prediction to review, or already queued"),
    ...errorResponses,
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/review/items/{id}",
  summary: "One item with its article, the article's predictions, decisions and audit history",
  request: { params: IdParam },
  responses: {
    200: {
      description: "The item",
      content: json(z.object({
        item: ReviewItemSchema,
        predictions: z.array(PredictionSchema),
        decisions: z.array(LabelSchema),
        history: z.array(AuditSchema),
      })),
    },
    404: notFound,
    ...errorResponses,
  },
});

const claimRoute = createRoute({
  method: "post",
  path: "/review/claim",
  summary: "Claim the next items on a lease (REVIEW_LEASE_SECONDS)",
  description: "Never gives an item another reviewer holds, nor one you already decided on. " +
    "May return fewer items than asked (none when the queue is empty).",
  security: secured,
  request: {
    body: {
      content: json(
        z.object({
          limit: z.number().int().min(1).max(50).default(1),
          order: Order.default("margin"),
          filters: Filters.strict().default({}),
        }).strict(),
      ),
      required: false,
    },
  },
  responses: {
    200: {
      description: "Claimed items (with article body)",
      content: json(z.object({ items: z.array(ReviewItemSchema), leaseSeconds: z.number() })),
    },
    ...errorResponses,
  },
});

const claimsRoute = createRoute({
  method: "get",
  path: "/review/claims",
  summary: "The items you hold on a live lease",
  security: secured,
  responses: {
    200: {
      description: "Your claims",
      content: json(z.object({ items: z.array(ReviewItemSchema) })),
    },
    ...errorResponses,
  },
});

const decideRoute = createRoute({
  method: "post",
  path: "/review/items/{id}/decision",
  summary: "Accept, relabel, skip or flag an item you hold",
  security: secured,
  request: { params: IdParam, body: { content: json(DecisionSchema), required: true } },
  responses: {
    200: { description: "The item after the decision", content: json(ReviewItemSchema) },
    404: notFound,
    409: conflict("Not held by you, lease expired, or already decided by you"),
    ...errorResponses,
  },
});

const releaseRoute = createRoute({
  method: "post",
  path: "/review/items/{id}/release",
  summary: "Give an item you hold back to the queue",
  security: secured,
  request: { params: IdParam },
  responses: {
    200: { description: "The item", content: json(ReviewItemSchema) },
    404: notFound,
    409: conflict("Not held by you"),
    ...errorResponses,
  },
});

const undoRoute = createRoute({
  method: "post",
  path: "/review/undo",
  summary: "Undo your last decision; the item is leased back to you when open",
  security: secured,
  responses: {
    200: {
      description: "What was undone and the item now",
      content: json(z.object({
        item: ReviewItemSchema,
        undone: z.object({
          action: z.enum(DECISION_ACTIONS),
          label: z.string().nullable(),
          flagReason: FlagReason.nullable(),
        }),
      })),
    },
    409: conflict("Nothing to undo, or the item was adjudicated since"),
    ...errorResponses,
  },
});

const bulkRoute = createRoute({
  method: "post",
  path: "/review/bulk-accept",
  summary: "Accept the predicted label on every open item matching a filter",
  description: "At least one filter is required. Each acceptance is one decision by you, " +
    "audited per item; items others hold and items you decided are left alone. At most " +
    "`limit` items per call: call again while `accepted` equals `limit`.",
  security: secured,
  request: {
    body: {
      content: json(
        Filters.extend({
          limit: z.number().int().min(1).max(5000).default(500),
          note: text(1, 2000).optional(),
        }).strict(),
      ),
      required: true,
    },
  },
  responses: {
    200: {
      description: "Items accepted",
      content: json(z.object({ accepted: z.number().int(), itemIds: z.array(z.number().int()) })),
    },
    ...errorResponses,
  },
});

const adjudicateRoute = createRoute({
  method: "post",
  path: "/review/items/{id}/adjudicate",
  summary: "Settle an item whose decisions disagree",
  security: secured,
  request: { params: IdParam, body: { content: json(DecisionSchema), required: true } },
  responses: {
    200: { description: "The settled item", content: json(ReviewItemSchema) },
    404: notFound,
    409: conflict("The item is not waiting for adjudication"),
    ...errorResponses,
  },
});

const Agreement = z.object({
  items: z.number().int(),
  percent: z.number().nullable(),
  fleissKappa: z.number().nullable(),
  pairs: z.array(z.object({
    raters: z.tuple([z.string(), z.string()]),
    items: z.number().int(),
    percent: z.number().nullable(),
    kappa: z.number().nullable().openapi({ description: "Cohen's kappa" }),
  })),
});

const statsRoute = createRoute({
  method: "get",
  path: "/review/stats",
  summary: "Counts by status, reason, label and reviewer; agreement; new labels since training",
  responses: {
    200: {
      description: "Review statistics",
      content: json(z.object({
        total: z.number().int(),
        byStatus: z.record(z.string(), z.number().int()),
        byReason: z.record(z.string(), z.number().int()),
        byPredictedLabel: z.array(
          z.object({ label: z.string(), total: z.number().int(), open: z.number().int() }),
        ),
        byFinalLabel: z.array(z.object({ label: z.string(), count: z.number().int() })),
        byReviewer: z.array(z.object({
          reviewer: z.string(),
          decisions: z.number().int(),
          accept: z.number().int(),
          label: z.number().int(),
          skip: z.number().int(),
          flag: z.number().int(),
          bulk: z.number().int(),
          undone: z.number().int(),
          matchingOutcome: z.number().int(),
          onFinished: z.number().int(),
          lastDecisionAt: z.string().nullable(),
          agreementItems: z.number().int(),
          agreementPercent: z.number().nullable().openapi({
            description: "Share of pairings with co-reviewers on the same item that agree",
          }),
        })),
        agreement: Agreement,
        learning: z.object({
          activeModel: z.string().nullable(),
          activeModelCreatedAt: z.string().nullable(),
          newReviewedLabels: z.number().int(),
          totalReviewedLabels: z.number().int(),
        }),
      })),
    },
    ...errorResponses,
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/review/export",
  summary: "Finished reviews as JSON Lines or CSV, streamed",
  description: "The latest finished review per article. JSON Lines rows have title, body and " +
    "label, so the file trains a model as it stands (`newsintel train FILE`).",
  request: { query: z.object({ format: z.enum(EXPORT_FORMATS).default("jsonl") }) },
  responses: {
    200: {
      description: "The export",
      content: {
        "application/x-ndjson": { schema: z.string() },
        "text/csv": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

const auditRoute = createRoute({
  method: "get",
  path: "/review/audit",
  summary: "The append-only review audit log, newest first",
  request: {
    query: z.object({
      itemId: z.coerce.number().int().min(1).optional(),
      articleId: z.coerce.number().int().min(1).optional(),
      actor: text(1, 200).optional(),
      event: z.enum(["queued", "decided", "bulk_accepted", "undone", "adjudicated", "released"])
        .optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z.string().max(64).optional(),
    }),
  },
  responses: {
    200: {
      description: "Audit entries",
      content: json(z.object({ items: z.array(AuditSchema), nextCursor: z.string().nullable() })),
    },
    ...errorResponses,
  },
});

const ShadowStatus = z.object({
  version: z.string().nullable().openapi({ description: "The shadow model; null when off" }),
  agreement: z.array(z.object({
    shadowVersion: z.string(),
    activeVersion: z.string(),
    compared: z.number().int(),
    agreeing: z.number().int(),
    rate: z.number().nullable(),
    disagreements: z.array(
      z.object({ activeLabel: z.string(), shadowLabel: z.string(), count: z.number().int() }),
    ),
    since: z.string().nullable(),
  })),
}).openapi("ShadowStatus");

const shadowGetRoute = createRoute({
  method: "get",
  path: "/review/shadow",
  summary: "The shadow model and its agreement with the active model on live traffic",
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    ...errorResponses,
  },
});

const shadowPutRoute = createRoute({
  method: "put",
  path: "/review/shadow",
  summary: "Run a registered model in shadow beside the active one",
  security: secured,
  request: {
    body: { content: json(z.object({ version: text(1, 200) }).strict()), required: true },
  },
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    404: { description: "No such model", content: json(ErrorSchema) },
    ...errorResponses,
  },
});

const shadowDeleteRoute = createRoute({
  method: "delete",
  path: "/review/shadow",
  summary: "Stop shadow mode",
  security: secured,
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    ...errorResponses,
  },
});

// ---------------------------------------------------------------- cursors

/** Opaque cursor for item listings: the last item's margin and id. */
export function encodeItemCursor(margin: number, id: number): string {
  return btoa(`r:${margin}:${id}`).replace(/=+$/, "");
}

export function decodeItemCursor(cursor: string): { margin: number; id: number } {
  let decoded = "";
  try {
    decoded = atob(cursor);
  } catch { /* reported below */ }
  const m = /^r:(-?[\d.e+-]{1,32}):(\d{1,16})$/.exec(decoded);
  const margin = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(margin)) {
    throw new AppError(422, "invalidCursor", "The cursor is not one this API returned.");
  }
  return { margin, id: Number(m[2]) };
}

function decodeAuditCursor(cursor: string): number {
  const m = /^\d{1,16}$/.exec(cursor);
  if (!m) throw new AppError(422, "invalidCursor", "The cursor is not one this API returned.");
  return Number(cursor);
}

// ---------------------------------------------------------------- app

/** The reviewer: the API-key name the middleware authenticated. */
function reviewerOf(c: { get(key: "principal"): string | undefined }): string {
  const principal = c.get("principal");
  if (!principal) {
    throw new AppError(401, "unauthorized", "This request needs an x-api-key header.");
  }
  return principal;
}

function checkRange(
  filter: { since?: string; until?: string; minScore?: number; maxScore?: number },
) {
  if (filter.since && filter.until && Date.parse(filter.since) >= Date.parse(filter.until)) {
    throw new AppError(422, "invalidRange", "`since` must be before `until`.");
  }
  if (
    filter.minScore !== undefined && filter.maxScore !== undefined &&
    filter.minScore > filter.maxScore
  ) {
    throw new AppError(422, "invalidRange", "`minScore` must not exceed `maxScore`.");
  }
}

export function reviewApi(deps: AppDeps) {
  const { db, config } = deps;
  const leaseSeconds = config.reviewLeaseSeconds;
  const shadowStatus = async () => {
    const version = await shadowModelVersion(db);
    return { version, agreement: await shadowAgreement(db) };
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const { cursor, limit, order, ...filter } = c.req.valid("query");
      checkRange(filter);
      const after = cursor === undefined ? undefined : decodeItemCursor(cursor);
      const rows = await listReviewItems(db, filter, { order, after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > limit ? encodeItemCursor(last.margin, last.id) : null;
      return c.json({ items, nextCursor }, 200);
    })
    .openapi(enqueueRoute, async (c) => {
      const { articleId, note } = c.req.valid("json");
      const item = await queueManually(db, reviewerOf(c), articleId, reviewPolicy(config), note);
      return c.json(item, 201);
    })
    .openapi(detailRoute, async (c) => {
      const { id } = c.req.valid("param");
      const item = await getReviewItem(db, id);
      if (!item) throw new AppError(404, "reviewItemNotFound", `No review item ${id}.`);
      const [predictions, decisions, history] = await Promise.all([
        predictionsFor(db, item.articleId),
        itemLabels(db, id),
        listAudit(db, { itemId: id, limit: 500 }),
      ]);
      return c.json({ item, predictions, decisions, history: history.reverse() }, 200);
    })
    .openapi(claimRoute, async (c) => {
      // The body is optional: without one, validation is skipped and defaults apply here.
      const body: Partial<ReturnType<typeof c.req.valid<"json">>> = c.req.valid("json") ?? {};
      const filters = body.filters ?? {};
      checkRange(filters);
      const items = await claimNext(db, reviewerOf(c), {
        limit: body.limit ?? 1,
        order: body.order ?? "margin",
        filters,
        leaseSeconds,
      });
      return c.json({ items, leaseSeconds }, 200);
    })
    .openapi(claimsRoute, async (c) => c.json({ items: await heldBy(db, reviewerOf(c)) }, 200))
    .openapi(decideRoute, async (c) => {
      const { id } = c.req.valid("param");
      const { item } = orThrow(await decide(db, reviewerOf(c), id, c.req.valid("json")));
      return c.json(item, 200);
    })
    .openapi(releaseRoute, async (c) => {
      const { id } = c.req.valid("param");
      return c.json(orThrow(await releaseItem(db, reviewerOf(c), id)).item, 200);
    })
    .openapi(undoRoute, async (c) => {
      return c.json(orThrow(await undoLast(db, reviewerOf(c), { leaseSeconds })), 200);
    })
    .openapi(bulkRoute, async (c) => {
      const { limit, note, ...filter } = c.req.valid("json");
      if (Object.keys(filter).length === 0) {
        throw new AppError(
          422,
          "filterRequired",
          "Bulk accept needs at least one filter (label, minScore, source, since, until, ...).",
        );
      }
      checkRange(filter);
      const itemIds = await bulkAccept(db, reviewerOf(c), filter, { limit, note });
      return c.json({ accepted: itemIds.length, itemIds }, 200);
    })
    .openapi(adjudicateRoute, async (c) => {
      const { id } = c.req.valid("param");
      const { item } = orThrow(await adjudicate(db, reviewerOf(c), id, c.req.valid("json")));
      return c.json(item, 200);
    })
    .openapi(statsRoute, async (c) => {
      const [counts, ratings, learning] = await Promise.all([
        reviewCounts(db),
        reviewRatings(db),
        newLabelsSinceTraining(db),
      ]);
      const { raters, ...agreement } = agreementSummary(ratings);
      const byRater = new Map(raters.map((r) => [r.rater, r]));
      const byReviewer = counts.byReviewer.map((r) => ({
        ...r,
        agreementItems: byRater.get(r.reviewer)?.items ?? 0,
        agreementPercent: byRater.get(r.reviewer)?.percent ?? null,
      }));
      return c.json({ ...counts, byReviewer, agreement, learning }, 200);
    })
    .openapi(exportRoute, (c) => {
      const { format } = c.req.valid("query");
      const stamp = new Date().toISOString().slice(0, 10);
      return c.body(exportStream(db, format), 200, {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "content-disposition": `attachment; filename="reviews-${stamp}.${format}"`,
        "cache-control": "no-store",
      }) as never;
    })
    .openapi(auditRoute, async (c) => {
      const { cursor, limit, ...filter } = c.req.valid("query");
      const beforeId = cursor === undefined ? undefined : decodeAuditCursor(cursor);
      const rows = await listAudit(db, { ...filter, beforeId, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? String(items[items.length - 1].id) : null;
      return c.json({ items, nextCursor }, 200);
    })
    .openapi(shadowGetRoute, async (c) => c.json(await shadowStatus(), 200))
    .openapi(shadowPutRoute, async (c) => {
      const { version } = c.req.valid("json");
      if (!await getModel(db, version)) {
        throw new AppError(404, "modelNotFound", `No model ${version}.`);
      }
      await setShadowModel(db, version, reviewerOf(c));
      await deps.models?.refresh(); // this replica loads it now; the others within seconds
      return c.json(await shadowStatus(), 200);
    })
    .openapi(shadowDeleteRoute, async (c) => {
      await setShadowModel(db, null, reviewerOf(c));
      await deps.models?.refresh();
      return c.json(await shadowStatus(), 200);
    });
}
