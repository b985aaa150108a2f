/**
 * Decisions and releases in batches: `POST /review/decisions` records many
 * decisions (each with its client's decision id, so a batch sent again is stored
 * once) and gives back items in the same request; `POST /review/release` gives
 * back many items. Either can close a review desk (the id a desk page claims
 * under), giving back all it claimed, answers the page never read included. Both are what a page sends as it goes (`fetch` with
 * `keepalive`, whose bodies browsers cap at 64 KB), so both take at most 64 KB.
 * A refusal is per decision or item, in the answer; a malformed body is refused
 * whole (422) before anything is written.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { closeDesk, decideMany, releaseMany, type ReviewRefusal } from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { validationHook } from "../../validation.ts";
import { errorResponses } from "../schemas.ts";
import { refusalError } from "./outcomes.ts";
import { reviewerOf } from "./request.ts";
import { DecisionId, decisionSchema, DeskId, json, ReviewItemSchema, secured } from "./schemas.ts";

/** The largest body either route reads: what a browser sends with `keepalive`. */
export const BATCH_MAX_BYTES = 64 * 1024;
/** Decisions, and items to give back, per request. */
export const BATCH_MAX_ITEMS = 200;

const ItemId = z.number().int().min(1).max(2 ** 53);

const Refusal = z.object({
  status: z.number().int().openapi({ description: "The HTTP status a single request would get" }),
  code: z.string(),
  message: z.string(),
});

const DecisionResult = z.union([
  z.object({ decisionId: z.string(), itemId: z.number().int(), ok: z.literal(true) }).extend({
    replayed: z.boolean().openapi({ description: "Stored before under this decision id" }),
    item: ReviewItemSchema,
  }),
  z.object({ decisionId: z.string(), itemId: z.number().int(), ok: z.literal(false) })
    .extend(Refusal.shape),
]).openapi("ReviewDecisionResult");

const ReleaseResult = z.object({
  released: z.array(z.number().int()).openapi({ description: "Items given back" }),
  refused: z.array(z.object({ itemId: z.number().int() }).extend(Refusal.shape)).openapi({
    description: "Items not given back: not yours (any more), or no such item",
  }),
});

const decisionsRoute = createRoute({
  method: "post",
  path: "/review/decisions",
  summary: "Decide on many items you hold, and give others back, in one request",
  description: "Each decision carries a `decisionId` the client made: one already stored " +
    "under it is not stored again (`replayed`). Decisions are made in order, each on its " +
    `own; \`release\` items are given back after. At most ${BATCH_MAX_ITEMS} of each, and ` +
    "64 KB, so a page can send it as it goes (`fetch` with `keepalive`).",
  security: secured,
  request: {
    body: {
      content: json(
        z.object({
          decisions: z.array(
            decisionSchema({ decisionId: DecisionId, itemId: ItemId }).openapi(
              "ReviewBatchDecision",
            ),
          ).max(BATCH_MAX_ITEMS),
          release: z.array(ItemId).max(BATCH_MAX_ITEMS).default([]).openapi({
            description: "Items you hold to give back to the queue",
          }),
          releaseDesk: DeskId.optional().openapi({
            description: "Close this review desk and give back every item claimed under it",
          }),
        }).strict(),
      ),
      required: true,
    },
  },
  responses: {
    200: {
      description: "Each decision's outcome, in order, and what was given back",
      content: json(z.object({ results: z.array(DecisionResult) }).extend(ReleaseResult.shape)),
    },
    ...errorResponses,
  },
});

const releaseRoute = createRoute({
  method: "post",
  path: "/review/release",
  summary: "Give back many items you hold, or all those claimed under a review desk",
  description: `At most ${BATCH_MAX_ITEMS} items, and 64 KB (a page can send it as it goes).`,
  security: secured,
  request: {
    body: {
      content: json(
        z.object({
          itemIds: z.array(ItemId).max(BATCH_MAX_ITEMS).default([]),
          desk: DeskId.optional().openapi({
            description: "Close this review desk and give back every item claimed under it",
          }),
        }).strict().refine((b) => b.itemIds.length > 0 || b.desk !== undefined, {
          message: "give `itemIds`, a `desk`, or both",
        }),
      ),
      required: true,
    },
  },
  responses: {
    200: { description: "What was given back", content: json(ReleaseResult) },
    ...errorResponses,
  },
});

const refusalOf = (r: ReviewRefusal) => {
  const e = refusalError(r);
  return { status: e.status, code: e.code, message: e.message };
};

const tooLarge = () =>
  new AppError(413, "payloadTooLarge", `The body is larger than ${BATCH_MAX_BYTES} bytes.`);

/**
 * 413 for a body over {@link BATCH_MAX_BYTES}. The app's own body limit already wraps
 * the stream (a second wrapper cannot read it), so this reads the body once, bounded
 * by that limit, and the validator reuses what was read.
 */
const keepaliveSized: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (Number(c.req.header("content-length")) > BATCH_MAX_BYTES) throw tooLarge();
  if ((await c.req.arrayBuffer()).byteLength > BATCH_MAX_BYTES) throw tooLarge();
  await next();
};

/** `/review/decisions` and `/review/release`. */
export function batchApi(deps: AppDeps) {
  const { db } = deps;
  const release = async (reviewer: string, ids: number[], desk?: string) => {
    const deskItems = desk ? await closeDesk(db, reviewer, desk) : [];
    const outcomes = await releaseMany(db, reviewer, ids, desk ? { desk, deskItems } : null);
    return {
      released: outcomes.flatMap((o) => (o.kind === "ok" ? [o.item.id] : [])),
      refused: outcomes.flatMap((
        o,
      ) => (o.kind === "ok" ? [] : [{ itemId: o.id, ...refusalOf(o) }])),
    };
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi({ ...decisionsRoute, middleware: [keepaliveSized] }, async (c) => {
      const reviewer = reviewerOf(c);
      const body = c.req.valid("json");
      const outcomes = await decideMany(db, reviewer, body.decisions);
      const results = outcomes.map((o, i) => {
        const { decisionId, itemId } = body.decisions[i];
        return o.kind === "ok"
          ? { decisionId, itemId, ok: true as const, replayed: o.replayed === true, item: o.item }
          : { decisionId, itemId, ok: false as const, ...refusalOf(o) };
      });
      const released = await release(reviewer, body.release, body.releaseDesk);
      return c.json({ results, ...released }, 200);
    })
    .openapi({ ...releaseRoute, middleware: [keepaliveSized] }, async (c) => {
      const { itemIds, desk } = c.req.valid("json");
      return c.json(await release(reviewerOf(c), itemIds, desk), 200);
    });
}
