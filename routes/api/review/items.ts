/** One review item: its detail (predictions, decisions, history), and giving it back. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { predictionsFor } from "../../../db/predictions.ts";
import {
  DECISION_ACTIONS,
  getReviewItem,
  itemLabels,
  listAudit,
  releaseItem,
} from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { validationHook } from "../../validation.ts";
import { errorResponses } from "../schemas.ts";
import { orThrow } from "./outcomes.ts";
import { reviewerOf } from "./request.ts";
import {
  AuditSchema,
  conflict,
  FlagReason,
  IdParam,
  json,
  notFound,
  ReviewItemSchema,
  secured,
} from "./schemas.ts";

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

const PredictionSchema = z.object({
  modelVersion: z.string(),
  label: z.string(),
  score: z.number(),
  scores: z.record(z.string(), z.number()),
  createdAt: z.string(),
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

/** `/review/items/{id}` and `/review/items/{id}/release`. */
export function itemsApi(deps: AppDeps) {
  const { db } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
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
    .openapi(releaseRoute, async (c) => {
      const { id } = c.req.valid("param");
      return c.json(orThrow(await releaseItem(db, reviewerOf(c), id)).item, 200);
    });
}
