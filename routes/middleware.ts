/** Middleware factories: request ids, access logs and metrics, API-key (or session) auth. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { routePath } from "hono/route";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { logRequest, withContext } from "../lib/log.ts";
import type { ApiKey } from "../lib/config.ts";
import { AppError } from "../lib/errors.ts";
import type { Metrics } from "../lib/metrics.ts";
import {
  CSRF_HEADER,
  csrfMatches,
  isSameOrigin,
  type Session,
  SESSION_COOKIE,
  verifySession,
} from "../lib/session.ts";
import type { AppEnv } from "./env.ts";
import { rateLimiter } from "hono-rate-limiter";

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

/**
 * Logs one line per request, records it in the metrics by route pattern, and
 * wraps it in a server span carrying the request id.
 */
export function accessLog(metrics: Metrics): MiddlewareHandler<AppEnv> {
  const tracer = trace.getTracer("newsintel");
  return (c, next) =>
    tracer.startActiveSpan(`${c.req.method} ${c.req.path}`, {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": c.req.method,
        "url.path": c.req.path,
        "request.id": c.get("requestId"),
      },
    }, async (span) => {
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
        logRequest(
          c.req.method,
          c.req.path,
          c.res.status,
          Math.round(seconds * 1e4) / 10,
          c.get("principal"),
        );
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({ "http.route": route, "http.response.status_code": c.res.status });
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Finds the key matching `presented` in constant time (comparing fixed-size
 * digests, and always checking every key), or null.
 */
export function matchApiKey(keys: ApiKey[], presented: string): ApiKey | null {
  return apiKeyMatcher(keys)(presented);
}

/** {@link matchApiKey} with the keys' digests computed once, for the per-request check. */
function apiKeyMatcher(keys: ApiKey[]): (presented: string) => ApiKey | null {
  const digests = keys.map((k) => ({ key: k, digest: digest(k.key) }));
  return (presented) => {
    const p = digest(presented);
    let found: ApiKey | null = null;
    for (const k of digests) if (timingSafeEqual(p, k.digest) && !found) found = k.key;
    return found;
  };
}

/**
 * Requires `x-api-key` on writes (any method but GET/HEAD/OPTIONS), and on
 * reads too when `reads` is set. Sets the `principal` to the key's name.
 * With `sessions`, a valid console session cookie that was not signed out stands
 * in for the key; a write authenticated by the cookie must also carry the session's
 * `x-csrf-token` and come from our own origin, else 403.
 */
export function apiKeyAuth(
  keys: ApiKey[],
  options: {
    reads: boolean;
    sessions?: { secret: string; isRevoked(id: string): Promise<boolean> };
  },
): MiddlewareHandler<AppEnv> {
  const match = apiKeyMatcher(keys);
  const sessionOf = options.sessions
    ? sessionReader(options.sessions.secret, keys, options.sessions.isRevoked)
    : () => Promise.resolve(null);
  return async (c, next) => {
    const isRead = ["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    const presented = c.req.header("x-api-key");
    const key = presented ? match(presented) : null;
    const session = presented ? null : await sessionOf(c);
    if (key) c.set("principal", key.name);
    else if (session) {
      if (!isRead) requireCsrf(c, session);
      c.set("principal", session.name);
    } else if (!isRead || options.reads) {
      throw new AppError(
        401,
        "unauthorized",
        presented ? "The API key is not valid." : "This request needs an x-api-key header.",
      );
    }
    await next();
  };
}

/**
 * Reads a request's console session: the cookie's signature, expiry and key
 * (lib/session.ts), then the revocation list, since a signed-out cookie still verifies.
 */
export function sessionReader(
  secret: string,
  keys: ApiKey[],
  isRevoked: (id: string) => Promise<boolean>,
): (c: Context) => Promise<Session | null> {
  return async (c) => {
    const session = verifySession(secret, getCookie(c, SESSION_COOKIE), keys);
    return session && !(await isRevoked(session.id)) ? session : null;
  };
}

/** Throws 403 unless the request carries the session's CSRF token and comes from our origin. */
export function requireCsrf(c: Context, session: Session, token?: string | null): void {
  const sameOrigin = isSameOrigin({
    origin: c.req.header("origin"),
    secFetchSite: c.req.header("sec-fetch-site"),
    host: c.req.header("host"),
    url: c.req.url,
  });
  if (!sameOrigin) {
    throw new AppError(403, "crossSiteRequest", "Cross-site requests are not accepted.");
  }
  if (!csrfMatches(session, token ?? c.req.header(CSRF_HEADER))) {
    throw new AppError(403, "csrfFailed", "The CSRF token is missing or not this session's.");
  }
}

/**
 * Limits requests per API key (per client address for anonymous reads) to
 * `perMinute` in a fixed one-minute window, in this process; over the limit:
 * 429 with `Retry-After`.
 */
export function rateLimit(perMinute: number): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-7",
    keyGenerator: (c) => {
      const principal = c.get("principal");
      if (principal) return `key:${principal}`;
      const addr = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr
        ?.hostname;
      return `addr:${c.req.header("x-forwarded-for")?.split(",")[0].trim() ?? addr ?? "unknown"}`;
    },
    handler: () => {
      throw new AppError(
        429,
        "rateLimited",
        `More than ${perMinute} requests in a minute; retry after the Retry-After seconds.`,
      );
    },
  });
}

/** Adds HSTS when the request reached us over TLS (directly or via a proxy that says so). */
export function hstsBehindTls(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const proto = c.req.header("x-forwarded-proto");
    if (proto === "https" || (proto === undefined && c.req.url.startsWith("https:"))) {
      c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  };
}
