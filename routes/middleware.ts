/**
 * Middleware factories: request ids, access logs and metrics, API-key (or
 * session) auth with roles, access to `/metrics`, request rate limits.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { routePath } from "hono/route";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { logRequest, withContext } from "../lib/log.ts";
import type { ApiKey, Role } from "../lib/config.ts";
import { recordAccess } from "../db/access_audit.ts";
import type { Queryable } from "../db/mod.ts";
import { AppError } from "../lib/errors.ts";
import type { Metrics } from "../lib/metrics.ts";
import {
  CSRF_HEADER,
  csrfMatches,
  isSameOrigin,
  type Session,
  sessionCookieName,
  verifySession,
} from "../lib/console_session.ts";
import type { AppEnv } from "./env.ts";
import { type AuthFailures, refuseIfGuessing } from "./auth_failures.ts";
import { isLocalRequest } from "./client_address.ts";
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

/** Who a request authenticated as: a key, or a console session standing in for one. */
export interface Principal {
  name: string;
  role: Role;
  /** Set when the session cookie authenticated the request (writes then need its CSRF token). */
  session: Session | null;
}

/** Finds the request's principal; see {@link authenticator}. */
export type Authenticate = (c: Context) => Promise<Principal | null>;

/**
 * Makes the one authentication check of the API and `/metrics`: an `x-api-key`,
 * else (with `sessions`) a console session cookie that was not signed out.
 * A presented key is checked only if its client address has not failed too
 * often (429 with `Retry-After`); a wrong one is 401 and counts as a failure.
 * No credentials at all: null (the caller decides whether that is allowed).
 */
export function authenticator(
  keys: ApiKey[],
  options: {
    failures: AuthFailures;
    addressOf: (c: Context) => string;
    sessions?: { secret: string; isRevoked(id: string): Promise<boolean> };
  },
): Authenticate {
  const match = apiKeyMatcher(keys);
  const sessionOf = options.sessions
    ? sessionReader(options.sessions.secret, keys, options.sessions.isRevoked)
    : () => Promise.resolve(null);
  return async (c) => {
    const presented = c.req.header("x-api-key");
    if (presented) {
      const addr = options.addressOf(c);
      refuseIfGuessing(c, options.failures, addr);
      const key = match(presented);
      if (!key) {
        options.failures.record(addr);
        throw new AppError(401, "unauthorized", "The API key is not valid.");
      }
      return { name: key.name, role: key.role, session: null };
    }
    const session = await sessionOf(c);
    return session ? { name: session.name, role: session.role, session } : null;
  };
}

/**
 * Requires a key (or session) under /v1, except for reads of the `openReads`
 * paths (and what is below them) when `reads` is off: those may stay open,
 * nothing else, so a new route needs a key unless listed. Sets the `principal`
 * (the key's name) and its `role`. A write authenticated by the session cookie
 * must also carry the session's `x-csrf-token` and come from our own origin, else 403.
 */
export function apiKeyAuth(
  authenticate: Authenticate,
  options: { reads: boolean; openReads: string[] },
): MiddlewareHandler<AppEnv> {
  const isOpen = (path: string) =>
    options.openReads.some((p) => path === p || path.startsWith(p + "/"));
  return async (c, next) => {
    const isRead = ["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    const who = await authenticate(c);
    if (who) {
      if (who.session && !isRead) requireCsrf(c, who.session);
      c.set("principal", who.name);
      c.set("role", who.role);
    } else if (!isRead || options.reads || !isOpen(c.req.path)) {
      throw new AppError(401, "unauthorized", "This request needs an x-api-key header.");
    }
    await next();
  };
}

/**
 * `/metrics`: open to this machine (see `isLocalRequest`) or to everyone with
 * `open`; anyone else needs a key or a console session.
 */
export function metricsAccess(
  authenticate: Authenticate,
  options: { open: boolean },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!options.open && !isLocalRequest(c) && !(await authenticate(c))) {
      throw new AppError(401, "unauthorized", "Metrics need an x-api-key header from here.");
    }
    await next();
  };
}

/**
 * Lets only admin keys through to an action that changes what every user sees,
 * recording the attempt either way in the access audit (refusals up to the
 * app's per-key limit, see routes/denied_sampler.ts); a reviewer gets 403
 * `forbidden`. `what` says what was refused ("Promoting a model"); `target`
 * names what the action is on (a model version, an item id).
 */
export function adminOnly(
  db: Queryable,
  action: string,
  options: { what: string; target?: (c: Context) => string | undefined },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get("principal");
    if (!actor) throw new AppError(401, "unauthorized", "This request needs an x-api-key header.");
    const allowed = c.get("role") === "admin";
    const requestId = c.get("requestId") ?? null;
    const verdict = allowed ? null : c.get("deniedSampler")?.admit(actor);
    if (verdict?.leftOut) {
      await recordAccess(db, {
        actor,
        action: "refusalsNotRecorded",
        target: `${verdict.leftOut} refused admin actions over the per-minute audit limit`,
        outcome: "denied",
        requestId,
      });
    }
    if (verdict?.record !== false) {
      await recordAccess(db, {
        actor,
        action,
        target: options.target?.(c)?.slice(0, 200) ?? null,
        outcome: allowed ? "allowed" : "denied",
        requestId,
      });
    }
    if (!allowed) {
      throw new AppError(403, "forbidden", `${options.what} needs an admin key.`);
    }
    await next();
  };
}

/**
 * Reads a request's console session: the cookie's signature, expiry and key
 * (lib/console_session.ts), then the revocation list, since a signed-out cookie still verifies.
 */
export function sessionReader(
  secret: string,
  keys: ApiKey[],
  isRevoked: (id: string) => Promise<boolean>,
): (c: Context) => Promise<Session | null> {
  return async (c) => {
    const session = verifySession(secret, getCookie(c, sessionCookieName(isHttps(c))), keys);
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
 * Limits requests per API key (per client address, see routes/client_address.ts,
 * for anonymous reads) to `perMinute` in a fixed one-minute window, in this
 * process; over the limit: 429 with `Retry-After`.
 */
export function rateLimit(
  perMinute: number,
  addressOf: (c: Context) => string,
): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-7",
    keyGenerator: (c) => {
      const principal = c.get("principal");
      return principal ? `key:${principal}` : `addr:${addressOf(c)}`;
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

/**
 * Whether the browser reached us over https: always with `SECURE_COOKIES`, else
 * directly, or through a proxy that says so with `X-Forwarded-Proto: https` (from
 * any address, not only `TRUSTED_PROXIES`: a client claiming it falsely only gets
 * `Secure` cookies its own plain-http browser will not send back, and a page on
 * another site cannot make a browser send that header).
 */
export function isHttps(c: Context): boolean {
  return c.get("alwaysHttps") === true || new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
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
