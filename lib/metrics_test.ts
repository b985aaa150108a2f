import assert from "node:assert/strict";
import { createMetrics } from "./metrics.ts";

/** The distinct values of `label` among the samples of metric `name`. */
async function labelValues(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  label: string,
): Promise<Set<string>> {
  const all = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name)!;
  return new Set(metric.values.map((v) => String(v.labels[label])));
}

Deno.test("observeRequest() labels unknown and lower-case methods OTHER", async () => {
  const metrics = createMetrics();
  metrics.observeRequest("GET", "/health", 200, 0.001);
  for (const method of ["FOOBAR", "get", "PROPFIND", "x".repeat(1000), "Post"]) {
    metrics.observeRequest(method, "unmatched", 404, 0.001);
  }
  for (const name of ["http_requests_total", "http_request_duration_seconds"]) {
    assert.deepEqual(await labelValues(metrics, name, "method"), new Set(["GET", "OTHER"]));
  }
  const quantiles = await labelValues(metrics, "http_request_duration_quantiles_seconds", "method");
  assert.deepEqual(quantiles, new Set(["GET", "OTHER"]));
  const json = await metrics.json();
  const other = json.routes.find((r) => r.method === "OTHER")!;
  assert.equal(other.count, 5);
  await metrics.close();
});

Deno.test("observeRequest() keeps each standard method's own label", async () => {
  const metrics = createMetrics();
  const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  for (const method of methods) metrics.observeRequest(method, "/v1/articles", 200, 0.001);
  assert.deepEqual(await labelValues(metrics, "http_requests_total", "method"), new Set(methods));
  await metrics.close();
});

/** A gauge read that counts its calls and resolves when the test says so. */
function countingRead(value: number) {
  const read = {
    calls: 0,
    release: () => {},
    fn: () => {
      read.calls++;
      return new Promise<number>((resolve) => {
        read.release = () => resolve(value);
      });
    },
  };
  return read;
}

Deno.test("a database gauge is read once per cache period, however often it is scraped", async () => {
  let clock = 1_000_000;
  const metrics = createMetrics({ gaugeCacheMs: 5_000, now: () => clock });
  const stored = countingRead(42);
  metrics.gauge("test_rows", "Rows.", stored.fn);
  // Two scrapes at once share the one query in flight.
  const first = Promise.all([metrics.prometheus(), metrics.json()]);
  await Promise.resolve();
  stored.release();
  const [text, json] = await first;
  assert.match(text, /^test_rows\{[^}]*\} 42$/m);
  assert.equal(json.gauges.test_rows, 42);
  assert.equal(stored.calls, 1);
  // Another scrape within the period reuses the value.
  clock += 4_999;
  assert.match(await metrics.prometheus(), /^test_rows\{[^}]*\} 42$/m);
  assert.equal(stored.calls, 1);
  // After it, the query runs again.
  clock += 2;
  const later = metrics.prometheus();
  await Promise.resolve();
  stored.release();
  await later;
  assert.equal(stored.calls, 2);
  await metrics.close();
});

Deno.test("a labelled database gauge is cached too; in-memory gauges stay live", async () => {
  let clock = 0;
  const metrics = createMetrics({ gaugeCacheMs: 5_000, now: () => clock });
  let queries = 0;
  metrics.labelledGauge("test_depth", "Depth.", ["reason"], async () => {
    queries++;
    await Promise.resolve();
    return [[{ reason: "audit" }, queries]];
  });
  let pool = 0;
  metrics.labelledGauge("test_pool", "Pool.", ["state"], () => [[{ state: "size" }, ++pool]]);
  await metrics.prometheus();
  const text = await metrics.prometheus();
  assert.equal(queries, 1);
  assert.match(text, /^test_depth\{reason="audit"[^}]*\} 1$/m);
  assert.match(text, /^test_pool\{state="size"[^}]*\} 2$/m);
  clock += 5_000;
  assert.match(await metrics.prometheus(), /^test_depth\{reason="audit"[^}]*\} 2$/m);
  assert.equal(queries, 2);
  await metrics.close();
});

Deno.test("a failed gauge read is not kept", async () => {
  const metrics = createMetrics({ gaugeCacheMs: 5_000, now: () => 0 });
  let calls = 0;
  metrics.gauge("test_flaky", "Flaky.", () => {
    calls++;
    return calls === 1 ? Promise.reject(new Error("database unreachable")) : Promise.resolve(7);
  });
  await assert.rejects(metrics.prometheus());
  assert.match(await metrics.prometheus(), /^test_flaky\{[^}]*\} 7$/m);
  assert.equal(calls, 2);
  await metrics.close();
});
