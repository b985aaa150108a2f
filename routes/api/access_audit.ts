/**
 * `/v1/access-audit`: the record of admin actions and of refusals (a reviewer
 * key trying to promote, roll back, bulk accept or adjudicate). Admins only.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listAccess } from "../../db/access_audit.ts";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema } from "./schemas.ts";

const AccessSchema = z.object({
  id: z.number().int(),
  actor: z.string().openapi({ description: "The API key's name" }),
  action: z.string().openapi({ example: "promoteModel" }),
  target: z.string().nullable(),
  outcome: z.enum(["allowed", "denied"]),
  requestId: z.string().nullable(),
  at: z.string(),
}).openapi("AccessAuditEntry");

const listRoute = createRoute({
  method: "get",
  path: "/access-audit",
  summary: "Admin actions and refused attempts, newest first (admin key)",
  security: [{ ApiKey: [] }],
  request: {
    query: z.object({
      outcome: z.enum(["allowed", "denied"]).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z.string().regex(/^\d{1,16}$/).optional(),
    }),
  },
  responses: {
    200: {
      description: "Access audit entries",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(AccessSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    403: {
      description: "Not an admin key",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errorResponses,
  },
});

export function accessAuditApi({ db }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      if (c.get("role") !== "admin") {
        throw new AppError(403, "forbidden", "Only an admin key may read the access audit.");
      }
      const { outcome, limit, cursor } = c.req.valid("query");
      const rows = await listAccess(db, {
        outcome,
        beforeId: cursor === undefined ? undefined : Number(cursor),
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? String(items[items.length - 1].id) : null;
      return c.json({ items, nextCursor }, 200);
    });
}
