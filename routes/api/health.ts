/**
 * Liveness (`/health`) and readiness (`/ready`: database reachable, migrations current;
 * its details name any active model this replica could not load, while it serves the one before).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { readiness } from "../../db/migrate.ts";
import type { AppDeps, AppEnv } from "../env.ts";

const Health = z.object({
  status: z.literal("ok"),
  worker: z.number().int().openapi({
    description: "The process that answered: 0 the primary, 1.. the workers it started (WORKERS)",
  }),
}).openapi("Health");
const Ready = z.object({
  status: z.enum(["ready", "unavailable"]),
  checks: z.object({
    database: z.enum(["ok", "unreachable"]),
    migrations: z.enum(["current", "pending", "unknown"]),
  }),
  details: z.object({
    models: z.array(z.object({
      taxonomy: z.string(),
      version: z.string(),
      error: z.string(),
    })).openapi({
      description: "Active models this replica could not load (it serves its previous one)",
    }),
  }).optional(),
}).openapi("Ready");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "Liveness: the process is up",
  responses: { 200: { description: "Up", content: { "application/json": { schema: Health } } } },
});

const readyRoute = createRoute({
  method: "get",
  path: "/ready",
  summary: "Readiness: the database answers and every migration is applied",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: Ready } } },
    503: { description: "Not ready", content: { "application/json": { schema: Ready } } },
  },
});

export function healthApi({ config, db, models }: AppDeps) {
  return new OpenAPIHono<AppEnv>()
    .openapi(healthRoute, (c) => c.json({ status: "ok" as const, worker: config.worker }, 200))
    .openapi(readyRoute, async (c) => {
      const { database, migrations } = await readiness(db);
      const ready = database === "ok" && migrations === "current";
      if (!ready) c.header("Retry-After", "5");
      const problems = models?.problems() ?? [];
      return c.json(
        {
          status: ready ? "ready" as const : "unavailable" as const,
          checks: { database, migrations },
          ...(problems.length ? { details: { models: problems } } : {}),
        },
        ready ? 200 : 503,
      );
    });
}
