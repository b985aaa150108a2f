/**
 * The requests the adversarial suite (routes/fuzz_test.ts) sends each route of
 * testing/routes/fuzz_routes.ts: a fixed sweep of hostile values over every parameter,
 * header and body leaf, fast-check generated requests, and paths no route has.
 */
import fc from "fast-check";

import {
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
  ODD_METHODS,
  RAW_BODIES,
  RAW_QUERY_VALUES,
} from "./hostile.ts";
import { bodyArbitrary, leafValues, leavesOf, validOf, withLeaf } from "./hostile_schema.ts";
import { type Auth, type Case, type RouteSpec, str } from "./fuzz_routes.ts";

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
