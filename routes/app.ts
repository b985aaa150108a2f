/**
 * `createApp(deps)`: the whole HTTP surface — middleware, the `/v1` JSON API,
 * health, metrics, the OpenAPI document and its interactive docs, the review
 * console (pages, sign-in, static assets) — built from
 * injected dependencies so tests can call `app.request()` without a port.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { openItemsByReason } from "../db/review/mod.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { errorBody, handleError } from "./errors.ts";
import {
  accessLog,
  apiKeyAuth,
  authenticator,
  hstsBehindTls,
  metricsAccess,
  rateLimit,
  requestId,
} from "./middleware.ts";
import { AuthFailures } from "./auth_failures.ts";
import { clientAddress } from "./client_address.ts";
import { cors } from "hono/cors";
import { articlesApi } from "./api/articles.ts";
import { classifyApi } from "./api/classify.ts";
import { accessAuditApi } from "./api/access_audit.ts";
import { modelsApi } from "./api/models.ts";
import { runsApi } from "./api/runs.ts";
import { retrainsApi } from "./api/retrains.ts";
import { reviewApi } from "./api/review/mod.ts";
import { summarizeApi } from "./api/summarize.ts";
import { storiesApi } from "./api/stories.ts";
import { storyCorrectionsApi } from "./api/story_corrections.ts";
import { trendsApi } from "./api/trends.ts";
import { healthApi } from "./api/health.ts";
import { metricsApi } from "./api/metrics.ts";
import { bodyLimits, FORM_MAX_BYTES } from "./body_limit.ts";
import { DeniedSampler } from "./denied_sampler.ts";
import { validationHook } from "./validation.ts";
import { wellFormedText } from "./well_formed.ts";
import { consoleApp } from "./console/mod.ts";
import { isSessionRevoked } from "../db/revoked_sessions.ts";
import { sessionSecret } from "../lib/console_session.ts";

export type { AppDeps } from "./env.ts";

/**
 * The only /v1 reads `AUTH_READS=false` opens to anonymous callers (with what is
 * below them). Review data, the audit logs, the export and the model registry
 * are not among them: they always need a key, and so does any route added later.
 */
export const OPEN_READS = ["/v1/articles", "/v1/trends"];

/** The interactive API reference: Swagger UI, served with the console's assets. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>newsintel API</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/build/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/static/build/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
`;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { config, metrics } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  registerGauges(deps);

  app.use(requestId());
  const deniedSampler = new DeniedSampler();
  app.use((c, next) => {
    c.set("deniedSampler", deniedSampler);
    if (config.secureCookies) c.set("alwaysHttps", true);
    return next();
  });
  app.use(accessLog(metrics));
  app.use(securityHeaders());
  app.use(hstsBehindTls());
  // Every path, before anything (authentication, the text check, a route) reads a body.
  app.use(bodyLimits({ api: config.maxBodyBytes, other: FORM_MAX_BYTES }));
  if (config.corsOrigins.length > 0) {
    app.use(
      "/v1/*",
      cors({
        origin: config.corsOrigins,
        allowHeaders: ["content-type", "x-api-key", "x-request-id"],
      }),
    );
  }
  const sessionKey = sessionSecret(config.sessionSecret);
  // One count of failed authentications per client address, shared by the API,
  // /metrics and the console's sign-in, so guessing is slow whichever door is tried.
  const failures = new AuthFailures(config.authFailuresPerMinute);
  const addressOf = clientAddress(config.trustedProxies);
  const authenticate = authenticator(config.apiKeys, {
    failures,
    addressOf,
    sessions: { secret: sessionKey, isRevoked: (id) => isSessionRevoked(deps.db, id) },
  });
  app.use("/metrics", metricsAccess(authenticate, { open: config.metricsPublic }));
  app.use("/v1/*", apiKeyAuth(authenticate, { reads: config.authReads, openReads: OPEN_READS }));
  if (config.rateLimitPerMinute > 0) {
    app.use("/v1/*", rateLimit(config.rateLimitPerMinute, addressOf));
  }
  // After authentication, so an anonymous caller cannot make us parse a /v1 body; any
  // other body it reads is one the 64 KB limit above already let through.
  app.use(wellFormedText());

  app.route("/", healthApi(deps));
  app.route("/", metricsApi(deps));
  app.route("/v1", articlesApi(deps));
  app.route("/v1", classifyApi(deps));
  app.route("/v1", retrainsApi(deps));
  app.route("/v1", modelsApi(deps));
  app.route("/v1", accessAuditApi(deps));
  app.route("/v1", reviewApi(deps));
  app.route("/v1", runsApi(deps));
  app.route("/v1", summarizeApi(deps));
  app.route("/v1", trendsApi(deps));
  app.route("/v1", storiesApi(deps));
  app.route("/v1", storyCorrectionsApi(deps));
  app.route(
    "/",
    consoleApp(deps, {
      sessionSecret: sessionKey,
      // Forwarded writes keep the browser's connection info, so they are its own.
      api: (req, env) => app.fetch(req, env),
      failures,
      addressOf,
    }),
  );
  documentApi(app);

  app.notFound((c) => {
    c.set("unmatched", true);
    return c.json(errorBody(c, "notFound", `No route for ${c.req.method} ${c.req.path}.`), 404);
  });
  app.onError(handleError);
  return app;
}

/** The gauges read at each scrape: queue depth (cached, see lib/metrics.ts), pool use, model. */
function registerGauges(deps: AppDeps): void {
  const { metrics } = deps;
  metrics.labelledGauge(
    "newsintel_review_queue_depth",
    "Open review items by the reason they were queued (an item may have several).",
    ["reason"],
    async () => (await openItemsByReason(deps.db)).map((r) => [{ reason: r.reason }, r.count]),
  );
  metrics.labelledGauge(
    "newsintel_db_pool_connections",
    "Database connections: the pool's size, those in use and statements waiting for one.",
    ["state"],
    () => {
      const { size, inUse, waiting } = deps.db.pool();
      return [[{ state: "size" }, size], [{ state: "in_use" }, inUse], [{
        state: "waiting",
      }, waiting]];
    },
  );
  metrics.labelledGauge(
    "newsintel_model_info",
    "The models this process serves, one per taxonomy (value 1).",
    ["name", "version"],
    () =>
      (deps.models?.served() ?? []).map((m) => [{ name: m.name, version: m.version }, 1] as const),
  );
}

/** The security headers of every response; only `/docs` (Swagger UI) may use inline styles. */
function securityHeaders(): MiddlewareHandler<AppEnv> {
  const headers = (docs: boolean) =>
    secureHeaders({
      // Every script is one of our own files (island props are JSON, not script); only
      // the API docs page (Swagger UI) sets inline styles.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: docs ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: false,
      // Not "no-referrer": with it, browsers send `Origin: null` on our own form
      // posts, and the console's same-origin check needs the real origin.
      referrerPolicy: "same-origin",
    });
  const docsHeaders = headers(true);
  const strictHeaders = headers(false);
  return (c, next) => (c.req.path === "/docs" ? docsHeaders : strictHeaders)(c, next);
}

/** The OpenAPI document at `/openapi.json` and its interactive reference at `/docs`. */
function documentApi(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "newsintel",
      version: "1",
      description: "News topic intelligence: ingest, classify, summarize, review, trends.",
    },
  });
  app.get("/docs", (c) => c.html(DOCS_PAGE));
}
