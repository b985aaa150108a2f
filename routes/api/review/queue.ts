/**
 * The queue: list items with filters (keyset-paginated), queue an article by
 * hand, claim the next items on a lease, and see the items you hold.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  adoptHeld,
  claimForDesk,
  claimNext,
  heldBy,
  type ItemCursor,
  listReviewItems,
} from "../../../db/review/mod.ts";
import { queueManually, reviewPolicy } from "../../../services/review_routing.ts";
import { checkTaxonomy } from "../../../services/taxonomies.ts";
import { TAXONOMY_NAME } from "../../../db/models.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { validationHook } from "../../validation.ts";
import { orRefuse } from "../../refusals.ts";
import { cursorId, cursorNumber, cursorShape, decodeCursor, encodeCursor } from "../cursor.ts";
import { errorResponses, ErrorSchema, text } from "../schemas.ts";
import { checkRange, reviewerOf } from "./request.ts";
import {
  conflict,
  DeskId,
  Filters,
  json,
  Order,
  ReviewItemSchema,
  secured,
  Status,
} from "./schemas.ts";

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
          taxonomy: z.string().regex(TAXONOMY_NAME).optional().openapi({
            description: "Whose prediction to review (default `topic`)",
          }),
        }).strict(),
      ),
      required: true,
    },
  },
  responses: {
    201: { description: "Queued", content: json(ReviewItemSchema) },
    404: { description: "No such article, or taxonomy", content: json(ErrorSchema) },
    409: conflict("No prediction to review, or already queued"),
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
          desk: DeskId.optional(),
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

const adoptRoute = createRoute({
  method: "post",
  path: "/review/claims",
  summary: "The items you hold on a live lease, taken over by your review desk page",
  description: "A desk page that loads takes over what its reviewer holds, so closing the " +
    "page before it (`/review/release` with its `desk`) gives back only what that page " +
    "still held. A closed desk takes nothing over; the items are listed all the same.",
  security: secured,
  request: {
    body: {
      content: json(z.object({ desk: DeskId }).strict()),
      required: true,
    },
  },
  responses: {
    200: {
      description: "Your claims, now under `desk`",
      content: json(z.object({ items: z.array(ReviewItemSchema) })),
    },
    ...errorResponses,
  },
});

/**
 * Where a page of items ended: its last item's margin and id (the margin
 * orders the default listing; the id alone orders the others).
 */
const ITEM_CURSOR = cursorShape("r", cursorNumber, cursorId);

function decodeItemCursor(cursor: string): ItemCursor {
  const [margin, id] = decodeCursor(cursor, ITEM_CURSOR);
  return { margin, id };
}

/** `/review/items` (list, queue by hand), `/review/claim` and `/review/claims`. */
export function queueApi(deps: AppDeps) {
  const { db, config } = deps;
  const leaseSeconds = config.reviewLeaseSeconds;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const { cursor, limit, order, ...filter } = c.req.valid("query");
      checkRange(filter);
      orRefuse(await checkTaxonomy(db, filter.taxonomy));
      const after = cursor === undefined ? undefined : decodeItemCursor(cursor);
      const rows = await listReviewItems(db, filter, { order, after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > limit
        ? encodeCursor(ITEM_CURSOR, [last.margin, last.id])
        : null;
      return c.json({ items, nextCursor }, 200);
    })
    .openapi(enqueueRoute, async (c) => {
      const { articleId, note, taxonomy } = c.req.valid("json");
      orRefuse(await checkTaxonomy(db, taxonomy));
      const item = orRefuse(
        await queueManually(db, reviewerOf(c), articleId, reviewPolicy(config), { note, taxonomy }),
      );
      return c.json(item, 201);
    })
    .openapi(claimRoute, async (c) => {
      // The body is optional: without one, validation is skipped and defaults apply here.
      const body: Partial<ReturnType<typeof c.req.valid<"json">>> = c.req.valid("json") ?? {};
      const filters = body.filters ?? {};
      checkRange(filters);
      const options = {
        limit: body.limit ?? 1,
        order: body.order ?? "margin",
        filters,
        leaseSeconds,
      };
      const items = body.desk
        ? await claimForDesk(db, reviewerOf(c), body.desk, options)
        : await claimNext(db, reviewerOf(c), options);
      return c.json({ items, leaseSeconds }, 200);
    })
    .openapi(claimsRoute, async (c) => c.json({ items: await heldBy(db, reviewerOf(c)) }, 200))
    .openapi(adoptRoute, async (c) => {
      const { desk } = c.req.valid("json");
      return c.json({ items: await adoptHeld(db, reviewerOf(c), desk) }, 200);
    });
}
