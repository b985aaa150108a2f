/**
 * The routes the adversarial suite (routes/fuzz_test.ts) attacks, and the
 * requests it sends each: the `/v1` API read from the app's OpenAPI document
 * (parameters and body schemas included), the console and operational routes
 * listed here. {@link KNOWN_ROUTES} names every route the suite knows, so a
 * route added to the app fails the suite until it is listed (and so attacked).
 */
import fc from "fast-check";
import { REVIEW_REASONS, REVIEW_STATUSES } from "../db/review/mod.ts";
import { BUCKETS } from "../db/trends.ts";
import {
  bodyArbitrary,
  brief,
  enc,
  HOSTILE_CONTENT_TYPES,
  HOSTILE_DATES,
  HOSTILE_HEADERS,
  HOSTILE_NEXT,
  HOSTILE_NUMBERS,
  HOSTILE_RANGES,
  HOSTILE_REQUEST_IDS,
  HOSTILE_SEGMENTS,
  HOSTILE_STRINGS,
  hostileQueryValue,
  hostileText,
  jsonText,
  leafValues,
  leavesOf,
  ODD_METHODS,
  type ParamKind,
  RAW_BODIES,
  RAW_QUERY_VALUES,
  resolver,
  type Schema,
  validOf,
  withLeaf,
} from "./hostile.ts";

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
  "POST /v1/classify",
  "GET /v1/models",
  "GET /v1/access-audit",
  "GET /v1/models/{version}",
  "POST /v1/models/{version}/promote",
  "POST /v1/models/rollback",
  "GET /v1/review/items",
  "POST /v1/review/items",
  "GET /v1/review/items/{id}",
  "POST /v1/review/claim",
  "GET /v1/review/claims",
  "POST /v1/review/items/{id}/decision",
  "POST /v1/review/items/{id}/release",
  "POST /v1/review/undo",
  "POST /v1/review/bulk-accept",
  "POST /v1/review/items/{id}/adjudicate",
  "GET /v1/review/stats",
  "GET /v1/review/export",
  "GET /v1/review/audit",
  "GET /v1/review/shadow",
  "PUT /v1/review/shadow",
  "DELETE /v1/review/shadow",
  "POST /v1/summarize",
  "GET /v1/trends",
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
  "GET /trends",
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
const str = (name: string, values?: readonly string[]): Param => ({ name, kind: "string", values });
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
  const pages: RouteSpec[] = [
    page("GET", "/metrics", { auth: "none", query: [str("format", ["json", "prometheus"])] }),
    page("GET", "/docs", { auth: "none" }),
    page("GET", "/openapi.json", { auth: "none" }),
    page("GET", "/"),
    page("GET", "/login", { query: [str("next"), str("done", ["signed-out"])] }),
    page("POST", "/login", { auth: "login", form: { key: "", next: "/queue" } }),
    page("POST", "/logout", { form: {} }),
    page("GET", "/review"),
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
      ],
    }),
    page("POST", "/queue/bulk-accept", {
      form: { ...reviewFields, since: "2024-01-01", until: "2024-12-31", reason: "manual" },
    }),
    page("GET", "/articles", {
      query: [str("q"), str("source"), str("language"), day("since"), day("until"), num("before")],
    }),
    page("GET", "/articles/{id}"),
    page("GET", "/models", {
      query: [str("done", ["promoted", "rolled-back"]), str("v"), str("version")],
    }),
    page("POST", "/models/promote", {
      form: { version: existing.versions[0] ?? "x", confirm: "yes" },
    }),
    page("POST", "/models/rollback", { form: { confirm: "yes" } }),
    page("GET", "/trends", {
      query: [str("bucket", BUCKETS), day("from"), day("to"), str("source")],
    }),
    page("GET", "/static/{file}", { auth: "none" }),
    page("GET", "/static/build/{file}", { auth: "none" }),
  ];
  // The login token the `login` credential carries in its cookie and its form.
  for (const spec of pages) if (spec.auth === "login") spec.form!._csrf = LOGIN_TOKEN;
  return [...api, ...pages];
}

/** The sign-in form's double-submit token the suite uses. */
export const LOGIN_TOKEN = "fuzz-login-form-token";

/** The path of a spec with its parameters set (valid unless given). */
function pathOf(spec: RouteSpec, given: Record<string, string> = {}): string {
  return spec.path.replace(
    /\{(\w+)\}/g,
    (_m, name) => given[name] ?? spec.params.find((p) => p.name === name)?.valid[0] ?? "1",
  );
}

const queryString = (pairs: [string, string][]) =>
  pairs.length ? "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&") : "";

/** A route's body: its JSON schema's smallest valid value, or its form. */
function validBody(spec: RouteSpec): Pick<Case, "body" | "form" | "headers"> {
  if (spec.form) return { form: { ...spec.form }, headers: {} };
  if (spec.body) {
    return {
      body: jsonText(validOf(spec.body, spec.resolve)),
      headers: { "content-type": "application/json" },
    };
  }
  return { headers: {} };
}

/**
 * The fixed sweep for one route: each hostile value in each parameter (the
 * others left valid, so validation of one does not hide the work behind
 * another), the widest date ranges, repeated and unknown parameters, hostile
 * path segments and bodies, odd methods, headers and credentials.
 */
export function sweep(spec: RouteSpec, every = 1): Case[] {
  const cases: Case[] = [];
  const base = validBody(spec);
  const add = (what: string, c: Partial<Case> = {}) =>
    cases.push({
      route: spec.key,
      what,
      method: spec.method,
      url: pathOf(spec),
      auth: spec.auth,
      ...base,
      ...c,
      headers: { ...base.headers, ...c.headers },
    });

  for (const auth of ["key", "session", "none", "wrongKey"] as const) add(`as ${auth}`, { auth });
  for (const [i, p] of spec.query.entries()) {
    const values = [
      ...(p.values ?? []),
      ...(p.kind === "date" ? HOSTILE_DATES : p.kind === "string" ? HOSTILE_STRINGS : []),
      ...(p.kind === "date" || p.kind === "string" ? [] : HOSTILE_NUMBERS),
    ].filter((_, j) => (i + j) % every === 0);
    for (const v of values) {
      add(`${p.name}=${brief(v, 60)}`, { url: pathOf(spec) + queryString([[p.name, enc(v)]]) });
    }
    for (const raw of RAW_QUERY_VALUES.filter((_, j) => (i + j) % every === 0)) {
      add(`${p.name}=${raw} (raw)`, { url: pathOf(spec) + queryString([[p.name, raw]]) });
    }
    add(`${p.name} twice`, {
      url: pathOf(spec) + queryString([[p.name, enc(p.values?.[0] ?? "1")], [p.name, "2"]]),
    });
    add(`${p.name} ×1000`, {
      url: pathOf(spec) + queryString(Array.from({ length: 1_000 }, () => [p.name, "1"])),
    });
  }
  const names = new Set(spec.query.map((p) => p.name));
  for (const [a, b] of [["from", "to"], ["since", "until"]]) {
    if (!names.has(a) || !names.has(b)) continue;
    const buckets = spec.query.find((p) => p.name === "bucket")?.values ?? [undefined];
    for (const [x, y] of HOSTILE_RANGES) {
      for (const bucket of buckets) {
        const pairs: [string, string][] = [[a, enc(x)], [b, enc(y)]];
        if (bucket) pairs.push(["bucket", bucket]);
        add(`${a}=${x}&${b}=${y}${bucket ? `&bucket=${bucket}` : ""}`, {
          url: pathOf(spec) + queryString(pairs),
        });
      }
    }
  }
  add("1000 unknown parameters", {
    url: pathOf(spec) + queryString(Array.from({ length: 1_000 }, (_, i) => [`u${i}`, "1"])),
  });
  add("prototype names as parameters", {
    url: pathOf(spec) + "?__proto__=1&constructor=1&toString=1&a[b][c]=1&" + "&".repeat(10_000),
  });
  for (const p of spec.params) {
    for (const seg of HOSTILE_SEGMENTS) {
      add(`{${p.name}}=${seg}`, { url: pathOf(spec, { [p.name]: seg }) });
    }
  }
  if (spec.body) {
    for (const leaf of leavesOf(spec.body, spec.resolve)) {
      for (const v of leafValues(leaf.kind)) {
        add(`body.${leaf.path.join(".")}=${brief(v, 60)}`, {
          body: jsonText(withLeaf(validOf(spec.body, spec.resolve), leaf.path, v)),
        });
      }
    }
    for (const raw of RAW_BODIES) {
      add(`raw body ${typeof raw === "string" ? brief(raw, 60) : "bytes"}`, { body: raw });
    }
    for (const type of HOSTILE_CONTENT_TYPES) {
      add(`content-type: ${type}`, { headers: { "content-type": type } });
    }
  }
  if (spec.form) {
    for (const field of [...Object.keys(spec.form), "unknown"]) {
      const values = field === "next"
        ? HOSTILE_NEXT
        : [HOSTILE_STRINGS[0], HOSTILE_STRINGS[1], HOSTILE_STRINGS[4], "\u0000", ""];
      for (const v of values) {
        add(`form ${field}=${brief(v, 60)}`, { form: { ...spec.form, [field]: v } });
      }
    }
    if (spec.form.next !== undefined) {
      // Signed in with a valid key: the redirect itself is under test.
      for (const next of HOSTILE_NEXT) {
        add(`sign in, next=${next}`, {
          form: { ...spec.form, key: ALICE_PLACEHOLDER, next },
        });
      }
    }
    add("form without its CSRF token", { form: { ...spec.form, _csrf: "" } });
    add("form as multipart", {
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n' +
        "x".repeat(60_000) + "\r\n--x--\r\n",
      form: undefined,
    });
  }
  if (names.has("next")) {
    for (const next of HOSTILE_NEXT) {
      add(`next=${next}`, { url: pathOf(spec) + `?next=${enc(next)}` });
    }
  }
  for (const method of ODD_METHODS) add(`method ${method.slice(0, 20)}`, { method });
  for (const headers of HOSTILE_HEADERS) {
    add(`headers ${Object.keys(headers).join(",")}`, { headers });
  }
  for (const id of HOSTILE_REQUEST_IDS) {
    add(`x-request-id: ${id}`, { headers: { "x-request-id": id } });
  }
  return cases;
}

/** A valid API key in a form field: the runner swaps in the real one. */
export const ALICE_PLACEHOLDER = "\u0000alice-key";

/** Random requests for one route: hostile values in a random subset of everything. */
export function generated(spec: RouteSpec): fc.Arbitrary<Case> {
  const auth = fc.oneof(
    { weight: 6, arbitrary: fc.constant(spec.auth) },
    { weight: 1, arbitrary: fc.constantFrom<Auth>("key", "session", "none", "wrongKey") },
  );
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constant(spec.method) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) },
  );
  const query = fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(spec.query.length ? spec.query : [str("x")])) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((name) => str(name)) },
    ).chain((p) =>
      fc.tuple(
        fc.constant(p.name),
        fc.oneof(
          { weight: 5, arbitrary: hostileQueryValue(p.kind).map(enc) },
          { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_VALUES) },
          { weight: p.values ? 3 : 0, arbitrary: fc.constantFrom(...(p.values ?? [""])) },
        ),
      )
    ),
    { maxLength: 4 },
  );
  const params = fc.record(
    Object.fromEntries(spec.params.map((p) => [
      p.name,
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...(p.valid.length ? p.valid : ["1"])) },
        { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
        { weight: 1, arbitrary: hostileText.map(enc) },
      ),
    ])),
  );
  const body = spec.body
    ? bodyArbitrary(spec.body, spec.resolve).map((v) => ({ body: jsonText(v) }))
    : spec.form
    ? fc.record(
      Object.fromEntries(
        Object.entries(spec.form).map(([k, v]) => [
          k,
          fc.oneof(
            fc.constant(v),
            k === "next" ? fc.constantFrom(...HOSTILE_NEXT) : hostileText,
          ),
        ]),
      ),
    ).map((form) => ({ form: { ...form, _csrf: spec.form!._csrf ?? "" } }))
    : fc.constant({});
  const headers = fc.record({
    extra: fc.option(fc.constantFrom(...HOSTILE_HEADERS), { nil: undefined }),
    id: fc.option(fc.constantFrom(...HOSTILE_REQUEST_IDS), { nil: undefined }),
    type: fc.option(fc.constantFrom(...HOSTILE_CONTENT_TYPES), { nil: undefined, freq: 8 }),
  });
  return fc.record({ auth, method, query, params, body, headers }).map((r) => ({
    route: spec.key,
    what:
      `generated ${brief(r.method, 20)} ${brief(pathOf(spec, r.params) + queryString(r.query))} ` +
      brief(("body" in r.body ? r.body.body : "form" in r.body ? r.body.form : "") ?? ""),
    method: r.method,
    url: pathOf(spec, r.params) + queryString(r.query),
    auth: r.auth,
    ...r.body,
    headers: {
      ...(spec.body ? { "content-type": r.headers.type ?? "application/json" } : {}),
      ...r.headers.extra,
      ...(r.headers.id === undefined ? {} : { "x-request-id": r.headers.id }),
    },
  }));
}

/** Paths no route has: scanners' favourites, traversal, and sheer length. */
export function unknownRoutes(): Case[] {
  return [
    "/v1/nope",
    "/v1/articles/1/extra",
    "/%2e%2e/%2e%2e/deno.json",
    "/static/..%2f..%2fdeno.json",
    "/static/build/..%2f..%2f..%2fdeno.json",
    "/static/%2e%2e/deno.json",
    "/static/.env",
    "/static/console.css%00.js",
    "/static/build/manifest.json%2f..",
    "/.git/config",
    "/wp-login.php",
    "/" + "a/".repeat(10_000),
    "/v1/" + "x".repeat(100_000),
    "/v1//articles",
    "/V1/ARTICLES",
    "/%ff",
  ].flatMap((url) =>
    ["GET", "POST", "FOOBAR"].map((method) => ({
      route: "unknown",
      what: `${method} ${url}`,
      method,
      url,
      auth: "key" as const,
      headers: {},
    }))
  );
}
