/** Middleware factories: request ids, access logs and metrics, API-key auth. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { logger, withContext } from "../lib/log.ts";
import type { ApiKey } from "../lib/config.ts";
import { AppError } from "../lib/errors.ts";
import type { Metrics } from "../lib/metrics.ts";
import type { AppEnv } from "./env.ts";

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Accepts a well-formed `x-request-id` or makes one, echoes it, and runs the
 * rest of the request inside a log context carrying it.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", id);
    c.header("x-request-id", id);
    await withContext({ requestId: id }, next);
  };
}

/** Logs one line per request and records it in the metrics, by route pattern. */
export function accessLog(metrics: Metrics): MiddlewareHandler<AppEnv> {
  const log = logger("http");
  return async (c, next) => {
    const start = performance.now();
    metrics.inFlight.inc();
    try {
      await next();
    } finally {
      metrics.inFlight.dec();
      const seconds = (performance.now() - start) / 1000;
      // Unmatched paths share one label so scanners cannot blow up the series count.
      const route = c.get("unmatched") ? "unmatched" : routePath(c);
      metrics.observeRequest(c.req.method, route, c.res.status, seconds);
      log.info("{method} {path} {status} {ms}ms", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(seconds * 1e4) / 10,
        principal: c.get("principal"),
      });
    }
  };
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Finds the key matching `presented` in constant time (comparing fixed-size
 * digests, and always checking every key), or null.
 */
export function matchApiKey(keys: ApiKey[], presented: string): ApiKey | null {
  const p = digest(presented);
  let found: ApiKey | null = null;
  for (const k of keys) if (timingSafeEqual(p, digest(k.key)) && !found) found = k;
  return found;
}

/**
 * Requires `x-api-key` on writes (any method but GET/HEAD/OPTIONS), and on
 * reads too when `reads` is set. Sets the `principal` to the key's name.
 */
export function apiKeyAuth(keys: ApiKey[], options: { reads: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const isRead = ["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    const presented = c.req.header("x-api-key");
    const key = presented ? matchApiKey(keys, presented) : null;
    if (key) c.set("principal", key.name);
    else if (!isRead || options.reads) {
      throw new AppError(
        401,
        "unauthorized",
        presented ? "The API key is not valid." : "This request needs an x-api-key header.",
      );
    }
    await next();
  };
}
