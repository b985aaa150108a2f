/** `/review/audit`: the append-only review audit log, newest first, keyset-paginated. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listAudit } from "../../../db/review/mod.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { validationHook } from "../../validation.ts";
import { cursorId, cursorShape, decodeCursor, encodeCursor } from "../cursor.ts";
import { errorResponses, text } from "../schemas.ts";
import { AUDIT_EVENTS, AuditSchema, json } from "./schemas.ts";

const auditRoute = createRoute({
  method: "get",
  path: "/review/audit",
  summary: "The append-only review audit log, newest first",
  request: {
    query: z.object({
      itemId: z.coerce.number().int().min(1).optional(),
      articleId: z.coerce.number().int().min(1).optional(),
      actor: text(1, 200).optional(),
      event: z.enum(AUDIT_EVENTS).optional(),
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

/** Where a page of the log ended: its last (oldest) entry's id. */
const AUDIT_CURSOR = cursorShape("audit", cursorId);

/** The id to page before. A bare id is the form the log's cursors took before: still accepted. */
function decodeAuditCursor(cursor: string): number {
  return /^\d{1,16}$/.test(cursor) ? Number(cursor) : decodeCursor(cursor, AUDIT_CURSOR)[0];
}

/** `/review/audit`. */
export function auditApi(deps: AppDeps) {
  const { db } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(auditRoute, async (c) => {
      const { cursor, limit, ...filter } = c.req.valid("query");
      const beforeId = cursor === undefined ? undefined : decodeAuditCursor(cursor);
      const rows = await listAudit(db, { ...filter, beforeId, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit
        ? encodeCursor(AUDIT_CURSOR, [items[items.length - 1].id])
        : null;
      return c.json({ items, nextCursor }, 200);
    });
}
