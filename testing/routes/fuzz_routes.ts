/**
 * The routes the adversarial suite (routes/fuzz_test.ts) attacks, as specs (the
 * requests sent to each are built in testing/routes/fuzz_cases.ts): the `/v1` API read from the app's OpenAPI document
 * (parameters and body schemas included), the console and operational routes
 * listed here. {@link KNOWN_ROUTES} names every route the suite knows, so a
 * route added to the app fails the suite until it is listed (and so attacked).
 */
import { REVIEW_REASONS, REVIEW_STATUSES } from "../../db/review/mod.ts";
import { BUCKETS } from "../../db/trends.ts";
import { type ParamKind } from "./hostile.ts";
import { resolver, type Schema } from "./hostile_schema.ts";

/** Every route of the app, as `METHOD /path/{param}`. */
export const KNOWN_ROUTES: readonly string[] = [
  // operations
  "GET /health",
  "GET /ready",
  "GET /metrics",
  "GET /openapi.json",
  "GET /docs",
  // JSON API
  "POST /v1/articles",
  "GET /v1/articles",
  "GET /v1/articles/{id}",
  "GET /v1/articles/{id}/similar",
  "POST /v1/classify",
  "GET /v1/models",
  "GET /v1/access-audit",
  "GET /v1/models/{version}",
  "POST /v1/models/{version}/promote",
  "POST /v1/models/rollback",
  "POST /v1/models/retrain",
  "GET /v1/models/retrains",
  "GET /v1/review/items",
  "POST /v1/review/items",
  "GET /v1/review/items/{id}",
  "POST /v1/review/claim",
  "GET /v1/review/claims",
  "POST /v1/review/claims",
  "POST /v1/review/items/{id}/decision",
  "POST /v1/review/items/{id}/release",
  "POST /v1/review/decisions",
  "POST /v1/review/release",
  "POST /v1/review/undo",
  "POST /v1/review/bulk-accept",
  "POST /v1/review/items/{id}/adjudicate",
  "GET /v1/review/stats",
  "GET /v1/review/export",
  "GET /v1/review/audit",
  "GET /v1/review/shadow",
  "PUT /v1/review/shadow",
  "DELETE /v1/review/shadow",
  "POST /v1/review/label-issues",
  "POST /v1/summarize",
  "GET /v1/trends",
  "GET /v1/runs",
  "GET /v1/runs/compare",
  "GET /v1/runs/{id}",
  "GET /v1/stories",
  "GET /v1/stories/{id}",
  "POST /v1/stories/{id}/move",
  "POST /v1/stories/{id}/split",
  "POST /v1/stories/{id}/merge",
  // console
  "GET /",
  "GET /login",
  "POST /login",
  "POST /logout",
  "GET /review",
  "GET /queue",
  "POST /queue/bulk-accept",
  "GET /articles",
  "GET /articles/{id}",
  "GET /models",
  "POST /models/promote",
  "POST /models/rollback",
  "POST /models/retrain",
  "GET /trends",
  "GET /runs",
  "GET /stories",
  "GET /stories/{id}",
  "POST /stories/{id}/move",
  "POST /stories/{id}/split",
  "POST /stories/{id}/merge",
  "GET /static/{file}",
  "GET /static/build/{file}",
];

/** How a request proves who it is: API key, console session, sign-in form token, or not at all. */
export type Auth = "key" | "session" | "login" | "none" | "wrongKey";

interface Param {
  name: string;
  kind: ParamKind;
  /** Values the route accepts (enums), tried besides the hostile ones. */
  values?: readonly string[];
}

/** One route, as the suite attacks it. */
export interface RouteSpec {
  key: string;
  method: string;
  path: string;
  query: Param[];
  /** Path parameters, with values that name something that exists. */
  params: { name: string; valid: string[] }[];
  body?: Schema;
  /** Console form fields and valid values (`_csrf` is filled in per request). */
  form?: Record<string, string>;
  /** The credential that reaches the route's work. */
  auth: Auth;
  resolve: (s: Schema) => Schema;
}

/** One request to send, with a short account of what makes it hostile. */
export interface Case {
  route: string;
  what: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: string;
  auth: Auth;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Form fields; `_csrf` is replaced by the session's token when sent. */
  form?: Record<string, string>;
}

/** What exists in the database, for path parameters that should reach a handler's work. */
export interface Existing {
  articleIds: number[];
  itemIds: number[];
  versions: string[];
}

/** The parts of the OpenAPI document the suite reads. */
export type OpenApiDoc = {
  paths?: Record<
    string,
    Record<string, {
      parameters?: { in: string; name: string; schema?: Schema }[];
      requestBody?: { content?: Record<string, { schema?: Schema }> };
    }>
  >;
  components?: { schemas?: Record<string, Schema> };
};

/** `METHOD /path/{param}` for each operation of the OpenAPI document. */
export function openApiRoutes(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)
  );
}

/** `METHOD /path/{param}` for each route Hono has (`:id{[0-9]+}` becomes `{id}`). */
export function honoRoutes(routes: { method: string; path: string }[]): string[] {
  return [
    ...new Set(
      routes.filter((r) => r.method !== "ALL").map((r) =>
        `${r.method} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}")}`
      ),
    ),
  ];
}

const kindOf = (s: Schema | undefined): ParamKind => {
  const t = Array.isArray(s?.type) ? s.type.find((x) => x !== "null") : s?.type;
  return s?.format === "date-time" ? "date" : t === "integer" || t === "number" ? t : "string";
};

const day = (name: string): Param => ({ name, kind: "date" });
/** A string parameter, with its own hostile values when given. */
export const str = (name: string, values?: readonly string[]): Param => ({
  name,
  kind: "string",
  values,
});
const num = (name: string): Param => ({ name, kind: "number" });

/** The suite's view of every route: API routes from the document, the rest from this list. */
export function routeSpecs(doc: OpenApiDoc, existing: Existing): RouteSpec[] {
  const resolve = resolver(doc.components?.schemas ?? {});
  const idsFor = (path: string) =>
    (path.startsWith("/v1/review/items") ? existing.itemIds : existing.articleIds).map(String);
  const paramsOf = (path: string) =>
    [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      valid: name === "version" ? existing.versions : name === "file" ? [] : idsFor(path),
    }));
  const api: RouteSpec[] = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([m, op]) => ({
      key: `${m.toUpperCase()} ${path}`,
      method: m.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => ({
        name: p.name,
        kind: kindOf(p.schema),
        values: p.schema?.enum?.map(String),
      })),
      params: paramsOf(path),
      body: op.requestBody?.content?.["application/json"]?.schema,
      auth: path.startsWith("/v1") ? "key" as const : "none" as const,
      resolve,
    }))
  );
  const page = (
    method: string,
    path: string,
    extra: Partial<RouteSpec> = {},
  ): RouteSpec => ({
    key: `${method} ${path}`,
    method,
    path,
    query: [],
    params: paramsOf(path).map((p) =>
      p.name === "file"
        ? { name: p.name, valid: path.includes("build") ? ["manifest.json"] : ["console.css"] }
        : { ...p, valid: existing.articleIds.map(String) }
    ),
    auth: "session",
    resolve,
    ...extra,
  });
  const reviewFields = { label: "sport", minScore: "0.5", source: "toy", confirm: "yes" };
  // The taxonomy switch of the console pages; an unknown one falls back to `topic`.
  const taxonomy = str("taxonomy", ["topic", "section"]);
  const pages: RouteSpec[] = [
    page("GET", "/metrics", { auth: "none", query: [str("format", ["json", "prometheus"])] }),
    page("GET", "/docs", { auth: "none" }),
    page("GET", "/openapi.json", { auth: "none" }),
    page("GET", "/", { query: [taxonomy] }),
    page("GET", "/login", { query: [str("next"), str("done", ["signed-out"])] }),
    page("POST", "/login", { auth: "login", form: { key: "", next: "/queue" } }),
    page("POST", "/logout", { form: {} }),
    page("GET", "/review", { query: [taxonomy] }),
    page("GET", "/queue", {
      query: [
        str("status", REVIEW_STATUSES),
        str("reason", REVIEW_REASONS),
        str("label"),
        str("source"),
        num("minScore"),
        day("since"),
        day("until"),
        str("order", ["margin", "oldest", "newest"]),
        str("done", ["bulk-accepted"]),
        num("n"),
        str("more", ["1"]),
        taxonomy,
      ],
    }),
    page("POST", "/queue/bulk-accept", {
      form: {
        ...reviewFields,
        since: "2024-01-01",
        until: "2024-12-31",
        reason: "manual",
        taxonomy: "topic",
      },
    }),
    page("GET", "/articles", {
      query: [
        str("q"),
        str("source"),
        str("language"),
        day("since"),
        day("until"),
        num("before"),
        str("label"),
        taxonomy,
      ],
    }),
    page("GET", "/articles/{id}"),
    page("GET", "/models", {
      query: [
        str("done", ["promoted", "rolled-back", "retrain-started"]),
        str("v"),
        str("version"),
      ],
    }),
    page("POST", "/models/promote", {
      form: { version: existing.versions[0] ?? "x", confirm: "yes" },
    }),
    page("POST", "/models/rollback", { form: { confirm: "yes", taxonomy: "topic" } }),
    page("POST", "/models/retrain", { form: { confirm: "yes" } }),
    page("GET", "/trends", {
      query: [str("bucket", BUCKETS), day("from"), day("to"), str("source"), taxonomy],
    }),
    page("GET", "/runs", { query: [num("a"), num("b")] }),
    page("GET", "/stories", { query: [str("sort", ["growth", "size", "recent"]), num("days")] }),
    page("GET", "/stories/{id}", { query: [str("done", ["moved", "split", "merged"])] }),
    page("POST", "/stories/{id}/move", { form: { articles: "1", into: "2" } }),
    page("POST", "/stories/{id}/split", { form: { a1: "on" } }),
    page("POST", "/stories/{id}/merge", { form: { from: "2" } }),
    page("GET", "/static/{file}", { auth: "none" }),
    page("GET", "/static/build/{file}", { auth: "none" }),
  ];
  // The login token the `login` credential carries in its cookie and its form.
  for (const spec of pages) if (spec.auth === "login") spec.form!._csrf = LOGIN_TOKEN;
  return [...api, ...pages];
}

/** The sign-in form's double-submit token the suite uses. */
export const LOGIN_TOKEN = "fuzz-login-form-token";
