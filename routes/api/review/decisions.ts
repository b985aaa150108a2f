/**
 * Decisions: decide on an item you hold, undo your last decision, accept many
 * predictions at once, and adjudicate an item whose reviewers disagree.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  adjudicate,
  bulkAccept,
  decide,
  DECISION_ACTIONS,
  undoLast,
} from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { adminOnly } from "../../middleware.ts";
import { validationHook } from "../../validation.ts";
import { errorResponses, text } from "../schemas.ts";
import { orThrow } from "./outcomes.ts";
import { checkRange, reviewerOf } from "./request.ts";
import {
  conflict,
  DecisionId,
  DecisionSchema,
  decisionSchema,
  Filters,
  FlagReason,
  IdParam,
  json,
  notFound,
  ReviewItemSchema,
  secured,
} from "./schemas.ts";

const decideRoute = createRoute({
  method: "post",
  path: "/review/items/{id}/decision",
  summary: "Accept, relabel, skip or flag an item you hold",
  description: "With a `decisionId`, a decision sent again (a retry) is stored once: " +
    "the second send answers 200 with the item as it is now.",
  security: secured,
  request: {
    params: IdParam,
    body: {
      content: json(
        decisionSchema({ decisionId: DecisionId.optional() }).openapi("ReviewDecisionWithId"),
      ),
      required: true,
    },
  },
  responses: {
    200: { description: "The item after the decision", content: json(ReviewItemSchema) },
    404: notFound,
    409: conflict("Not held by you, lease expired, or already decided by you"),
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
  summary: "Accept the predicted label on every open item matching a filter (admin key)",
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
  summary: "Settle an item whose decisions disagree (admin key)",
  security: secured,
  request: { params: IdParam, body: { content: json(DecisionSchema), required: true } },
  responses: {
    200: { description: "The settled item", content: json(ReviewItemSchema) },
    404: notFound,
    409: conflict("The item is not waiting for adjudication"),
    ...errorResponses,
  },
});

/** `/review/items/{id}/decision` and `/adjudicate`, `/review/undo`, `/review/bulk-accept`. */
export function decisionsApi(deps: AppDeps) {
  const { db, config } = deps;
  const leaseSeconds = config.reviewLeaseSeconds;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(decideRoute, async (c) => {
      const { id } = c.req.valid("param");
      const { decisionId, ...decision } = c.req.valid("json");
      const { item } = orThrow(await decide(db, reviewerOf(c), id, decision, { decisionId }));
      return c.json(item, 200);
    })
    .openapi(undoRoute, async (c) => {
      return c.json(orThrow(await undoLast(db, reviewerOf(c), { leaseSeconds })), 200);
    })
    .openapi({
      ...bulkRoute,
      middleware: [adminOnly(db, "bulkAccept", { what: "Bulk accept" })],
    }, async (c) => {
      const { limit, note, ...filter } = c.req.valid("json");
      // A taxonomy alone narrows nothing within it: it does not count as a filter.
      if (Object.keys(filter).filter((k) => k !== "taxonomy").length === 0) {
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
    .openapi({
      ...adjudicateRoute,
      middleware: [
        adminOnly(db, "adjudicate", {
          what: "Adjudicating",
          target: (c) => c.req.param("id"),
        }),
      ],
    }, async (c) => {
      const { id } = c.req.valid("param");
      const { item } = orThrow(await adjudicate(db, reviewerOf(c), id, c.req.valid("json")));
      return c.json(item, 200);
    });
}
