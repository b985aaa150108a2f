/**
 * What the server answers while it starts (waiting for the database, migrating,
 * loading or training the model): liveness yes, readiness no, and 503 with
 * `Retry-After` for everything else, in the usual error shape.
 */
import { Hono } from "hono";
import { requestId } from "./middleware.ts";
import type { AppEnv } from "./env.ts";
import { errorBody } from "./errors.ts";

/** `phase` says what start-up is waiting for (shown by /ready); `worker` as in /health. */
export function startingApp(phase: () => string, worker = 0): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requestId())
    .get("/health", (c) => c.json({ status: "ok", worker }))
    .get("/ready", (c) => {
      c.header("Retry-After", "2");
      return c.json({ status: "unavailable", starting: phase() }, 503);
    })
    .all("*", (c) => {
      c.header("Retry-After", "2");
      return c.json(
        errorBody(c, "starting", `The service is starting (${phase()}); retry shortly.`),
        503,
      );
    });
}
