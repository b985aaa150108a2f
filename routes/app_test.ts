import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { LogRecord } from "@logtape/logtape";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { setupLogging } from "../lib/log.ts";
import { ALICE_KEY, fromAddress, postJson, testApp, withKey } from "../testing/routes/test_app.ts";

/** The shape parse-prometheus-text-format returns (it ships no types). */
interface MetricFamily {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

const { db, close } = await pgliteTestDb();
const records: LogRecord[] = [];
await setupLogging({ json: false, level: "debug", console: false, sink: (r) => records.push(r) });
globalThis.addEventListener("unload", () => void close());

Deno.test("x-request-id is echoed when given and generated when not", async () => {
  const { app } = testApp(db);
  const given = await app.request("/health", { headers: { "x-request-id": "abc-123" } });
  assert.equal(given.headers.get("x-request-id"), "abc-123");
  const made = await app.request("/health");
  assert.match(made.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  const bad = await app.request("/health", { headers: { "x-request-id": "bad id with spaces" } });
  assert.notEqual(bad.headers.get("x-request-id"), "bad id with spaces");
});

Deno.test("HSTS only on requests that reached us over TLS", async () => {
  const { app } = testApp(db);
  const hsts = async (url: string, headers: Record<string, string> = {}) =>
    (await app.request(url, { headers })).headers.get("strict-transport-security");
  assert.equal(await hsts("http://localhost/health"), null);
  assert.match((await hsts("https://localhost/health"))!, /max-age=31536000/);
  assert.match((await hsts("/health", { "x-forwarded-proto": "https" }))!, /max-age=/);
  assert.equal(await hsts("https://localhost/health", { "x-forwarded-proto": "http" }), null);
});

Deno.test("the request id is on the error body and on every log line of the request", async () => {
  const { app } = testApp(db);
  records.length = 0;
  const res = await app.request("/v1/articles/424242", {
    headers: { "x-request-id": "trace-me-1", "x-api-key": ALICE_KEY },
  });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.requestId, "trace-me-1");
  const lines = records.filter((r) => r.category.includes("http"));
  assert.ok(lines.length > 0);
  for (const r of lines) assert.equal(r.properties.requestId, "trace-me-1");
});

Deno.test("unknown routes are 404 in the error shape", async () => {
  const { app } = testApp(db);
  const res = await app.request("/no/such/route");
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const body = await res.json();
  assert.equal(body.error.code, "notFound");
  assert.ok(body.error.requestId);
});

Deno.test("an unexpected error is 500 with a generic message, logged with its cause", async () => {
  const { pgliteTestDb } = await import("../testing/db/test_db.ts");
  const broken = await pgliteTestDb();
  const { app } = testApp(broken.db);
  await broken.db.exec("DROP TABLE articles CASCADE");
  records.length = 0;
  const res = await app.request("/v1/articles", {
    headers: { "x-request-id": "boom-1", "x-api-key": ALICE_KEY },
  });
  await broken.close();
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.deepEqual(body, {
    error: {
      code: "internalError",
      message: "Something went wrong on our side.",
      requestId: "boom-1",
    },
  });
  assert.ok(records.some((r) => r.level === "error" && r.properties.requestId === "boom-1"));
});

Deno.test("API keys never reach the logs", async () => {
  const { app } = testApp(db);
  records.length = 0;
  await app.request("/v1/articles", postJson({ title: "t", body: "b" }));
  await app.request("/v1/articles", postJson({ title: "t", body: "b" }, "wrong-key-that-is-long"));
  await app.request(`/v1/articles?q=${ALICE_KEY}`, { headers: { "x-api-key": ALICE_KEY } });
  const refused = await app.request("/metrics", withKey("wrong-key-that-is-long"));
  assert.equal(refused.status, 401);
  assert.ok(!(await refused.text()).includes("wrong-key-that-is-long"), "echoed in the body");
  const text = JSON.stringify(records.map((r) => [r.message, r.properties]));
  assert.ok(records.length >= 4);
  assert.ok(!text.includes(ALICE_KEY.slice(0, 12)), "a key appeared in the logs");
  assert.ok(!text.includes("wrong-key-that-is-long"));
});

Deno.test("GET /health is 200 and /ready is 200 once migrated", async () => {
  const { app } = testApp(db);
  const health = await app.request("/health");
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok", worker: 0 });
  const ready = await app.request("/ready");
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).checks.migrations, "current");
});

Deno.test("GET /ready is 503 while migrations are pending", async () => {
  const { openPglite } = await import("../db/pglite.ts");
  const fresh = await openPglite("memory");
  try {
    const { app } = testApp(fresh);
    const res = await app.request("/ready");
    assert.equal(res.status, 503);
    assert.deepEqual((await res.json()).checks, { database: "ok", migrations: "pending" });
  } finally {
    await fresh.close();
  }
});

Deno.test("GET /metrics in Prometheus format parses and counts requests by route", async () => {
  const { app } = testApp(db);
  await app.request("/health");
  await app.request("/health");
  await app.request("/v1/articles/999999", withKey());
  await app.request("/nowhere");
  for (const init of [{ headers: { accept: "text/plain" } }, {}]) {
    const url = "accept" in (init.headers ?? {}) ? "/metrics" : "/metrics?format=prometheus";
    const res = await app.request(url, init, fromAddress("127.0.0.1"));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    const families = parsePrometheusTextFormat(await res.text()) as MetricFamily[];
    const byName = new Map(families.map((f) => [f.name, f]));
    const total = byName.get("http_requests_total")!;
    const health = total.metrics.find((m) => m.labels?.route === "/health");
    assert.equal(Number(health?.value), 2);
    assert.ok(
      total.metrics.some((m) => m.labels?.route === "unmatched" && m.labels?.status === "404"),
    );
    assert.equal(byName.get("http_request_duration_seconds")?.type, "HISTOGRAM");
    assert.ok(byName.has("newsintel_articles_stored"));
    // Read from Deno, not /proc (which only --allow-all opens): a real figure, not 0.
    assert.ok(Number(byName.get("process_resident_memory_bytes")?.metrics[0].value) > 1e6);
    const pool = byName.get("newsintel_db_pool_connections")!.metrics;
    const state = (s: string) => Number(pool.find((m) => m.labels?.state === s)?.value);
    assert.ok(state("size") >= 1);
    assert.ok(state("in_use") >= 0 && state("in_use") <= state("size"));
    assert.equal(state("waiting"), 0);
  }
});

Deno.test("GET /metrics is JSON by default with per-route percentiles", async () => {
  const { app } = testApp(db);
  await app.request("/health");
  await app.request("/v1/articles", postJson("{bad"));
  const res = await app.request("/metrics", {}, fromAddress("::1"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const m = await res.json();
  const health = m.routes.find((r: { route: string }) => r.route === "/health");
  assert.equal(health.count, 1);
  assert.ok(health.latencyMs.p99 >= health.latencyMs.p50);
  assert.equal(m.requests.clientErrors, 1);
  assert.equal(typeof m.gauges.newsintel_articles_stored, "number");
});

Deno.test("GET /openapi.json documents the API and /docs serves the reference page", async () => {
  const { app } = testApp(db);
  const res = await app.request("/openapi.json");
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.paths["/v1/articles"].post);
  assert.ok(doc.paths["/v1/articles/{id}"].get);
  assert.ok(doc.components.securitySchemes.ApiKey);
  const docs = await app.request("/docs");
  assert.equal(docs.status, 200);
  assert.match(docs.headers.get("content-security-policy")!, /script-src 'self';/);
  // Everything the page loads is served here: it works offline.
  const assets = [...(await docs.text()).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(assets, [
    "/static/favicon.svg",
    "/static/build/swagger-ui.css",
    "/static/build/swagger-ui-bundle.js",
    "/static/docs.js",
  ]);
  for (const asset of assets) {
    const r = await app.request(asset);
    assert.equal(r.status, 200, asset);
    const text = await r.text();
    if (asset === "/static/docs.js") assert.match(text, /url: "\/openapi\.json"/);
  }
});

Deno.test("responses carry security headers", async () => {
  const { app } = testApp(db);
  const res = await app.request("/health");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.match(res.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
});

Deno.test("requests over RATE_LIMIT_PER_MINUTE for one key are 429 with Retry-After", async () => {
  const { app } = testApp(db, { RATE_LIMIT_PER_MINUTE: "3" });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    statuses.push(
      (await app.request("/v1/articles", { headers: { "x-api-key": ALICE_KEY } })).status,
    );
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const limited = await app.request("/v1/articles", { headers: { "x-api-key": ALICE_KEY } });
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal((await limited.json()).error.code, "rateLimited");
  // Another key has its own budget.
  const bob = await app.request("/v1/articles", {
    headers: { "x-api-key": "bob-secret-key-0002" },
  });
  assert.equal(bob.status, 200);
});

Deno.test("CORS is off by default and answers only configured origins", async () => {
  const off = testApp(db).app;
  const res = await off.request("/v1/articles", { headers: { origin: "https://evil.example" } });
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  const on = testApp(db, { CORS_ORIGINS: "https://newsroom.example" }).app;
  const ok = await on.request("/v1/articles", { headers: { origin: "https://newsroom.example" } });
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://newsroom.example");
  const other = await on.request("/v1/articles", { headers: { origin: "https://evil.example" } });
  assert.notEqual(other.headers.get("access-control-allow-origin"), "https://evil.example");
});

Deno.test("HSTS is sent only behind TLS", async () => {
  const { app } = testApp(db);
  assert.equal((await app.request("/health")).headers.get("strict-transport-security"), null);
  const tls = await app.request("/health", { headers: { "x-forwarded-proto": "https" } });
  assert.match(tls.headers.get("strict-transport-security")!, /max-age=\d+/);
});

Deno.test("odd request methods add no metrics series beyond OTHER", async () => {
  const { app, metrics } = testApp(db);
  await app.request("/health");
  for (const method of ["FOOBAR", "get", "PROPFIND", "patch"]) {
    for (const path of ["/health", "/v1/articles", "/nowhere"]) {
      await (await app.request(path, { method, headers: { "x-api-key": ALICE_KEY } })).body
        ?.cancel();
    }
  }
  const all = await metrics.registry.getMetricsAsJSON();
  const methods = new Set(
    all.find((m) => m.name === "http_requests_total")!.values.map((v) => v.labels.method),
  );
  // `get` arrives as GET (fetch normalises it); the others share OTHER.
  assert.deepEqual(methods, new Set(["GET", "OTHER"]));
});
