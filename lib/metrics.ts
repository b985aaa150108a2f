/**
 * Process metrics with prom-client: request counts, a latency histogram and
 * latency percentiles per route, in-flight requests, process metrics, and
 * gauges other modules register (articles stored, ...). Served as Prometheus
 * text or as a compact JSON summary; with several processes (`WORKERS > 1`),
 * as the total of all of them (see metrics_share.ts).
 *
 * Every label is bounded: the method is one of a fixed set (else `OTHER`), the
 * route is a registered pattern (or `unmatched`), and gauges read from the
 * database are reused for a few seconds, so scrapes cost no more queries than
 * the cache allows however often they come.
 */
import client from "prom-client";
import { type MetricsShare, shareMetrics } from "./metrics_share.ts";

export interface Metrics {
  registry: client.Registry;
  /** Records one finished HTTP request (the method is labelled with {@link methodLabel}). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  inFlight: client.Gauge;
  /** Adds a gauge whose value is read at scrape time (an async read is cached, see {@link cachedRead}). */
  gauge(name: string, help: string, read: () => Promise<number> | number): void;
  /** Adds a gauge with labels, read at scrape time as a list of (labels, value); cached as above. */
  labelledGauge(
    name: string,
    help: string,
    labelNames: string[],
    read: () =>
      | Promise<Array<[Record<string, string>, number]>>
      | Array<[Record<string, string>, number]>,
  ): void;
  /** Records predictions served (`via`: classify or ingest) and their confidence. */
  observePredictions(
    via: "classify" | "ingest",
    model: string,
    predictions: { label: string; score: number }[],
  ): void;
  prometheus(): Promise<string>;
  json(): Promise<MetricsJson>;
  /** Serves the totals of every process publishing to `dir` (each process calls this). */
  share(dir: string): Promise<void>;
  close(): Promise<void>;
}

export interface RouteStats {
  method: string;
  route: string;
  count: number;
  errors: number;
  byStatus: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; mean: number };
}

export interface MetricsJson {
  uptimeSeconds: number;
  requests: { total: number; clientErrors: number; serverErrors: number; inFlight: number };
  routes: RouteStats[];
  gauges: Record<string, number>;
  /** This process's memory. */
  process: { residentMemoryBytes: number; heapUsedBytes: number };
  /** How many `serve` processes the figures add up. */
  processes: number;
}

const LATENCY_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
];

const PROC_METRICS = [
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_heap_bytes",
  "process_open_fds",
  "process_max_fds",
];

/** The methods that get a label of their own; any other becomes `OTHER`. */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * A request method as a metrics label: one of the standard methods, else `OTHER`,
 * so a client sending `FOOBAR` or `get` cannot add series.
 *
 * @example
 * ```ts
 * methodLabel("GET"); // "GET"
 * methodLabel("PROPFIND"); // "OTHER"
 * ```
 */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : "OTHER";
}

/** How long a gauge read from the database is reused by later scrapes. */
export const GAUGE_CACHE_MS = 5_000;

export interface MetricsOptions {
  /** How long an asynchronous gauge's value is reused (default {@link GAUGE_CACHE_MS}). */
  gaugeCacheMs?: number;
  /** The clock the gauge cache reads (milliseconds); tests pass their own. */
  now?: () => number;
}

/**
 * Wraps a gauge's read so that an asynchronous one (a database query) runs at most
 * once per `ttlMs`, with scrapes arriving while it runs sharing it. A failed read is
 * not kept. Synchronous reads (in-memory figures) are cheap and stay live.
 */
export function cachedRead<T>(
  read: () => Promise<T> | T,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<T> | T {
  let kept: { at: number; value: T } | undefined;
  let running: Promise<T> | undefined;
  return () => {
    if (kept && now() - kept.at < ttlMs) return kept.value;
    if (running) return running;
    const out = read();
    if (typeof (out as PromiseLike<T> | null)?.then !== "function") return out;
    running = Promise.resolve(out).then((value) => {
      kept = { at: now(), value };
      return value;
    }).finally(() => {
      running = undefined;
    });
    return running;
  };
}

/** Prom-client's default process metrics, minus those it cannot read here, plus the RSS. */
function registerProcessMetrics(registry: client.Registry): void {
  client.collectDefaultMetrics({ register: registry });
  // prom-client reads these from /proc/self, which Deno opens only to --allow-all;
  // without it they would read 0. The resident set comes from Deno instead.
  for (const name of PROC_METRICS) registry.removeSingleMetric(name);
  new client.Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
}

/** The request counters, latency histogram and percentiles, and requests in flight. */
function registerHttpMetrics(registry: client.Registry) {
  const requests = new client.Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method and route pattern.",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const quantiles = new client.Summary({
    name: "http_request_duration_quantiles_seconds",
    help: "HTTP request latency percentiles over the last 10 minutes.",
    labelNames: ["method", "route"] as const,
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    // Each observation goes into every age bucket's t-digest: two (the window then
    // covers the last 5 to 10 minutes) cost half of five on every request.
    ageBuckets: 2,
    // Across processes, percentiles can only be approximated by their mean.
    aggregator: "average",
    registers: [registry],
  });
  const inFlight = new client.Gauge({
    name: "http_requests_in_flight",
    help: "HTTP requests being served now.",
    registers: [registry],
  });
  return { requests, duration, quantiles, inFlight };
}

/** Predictions by model, label and path, and the predicted label's probability. */
function registerPredictionMetrics(registry: client.Registry) {
  const predictions = new client.Counter({
    name: "newsintel_predictions_total",
    help: "Predictions made, by model version, label and path (classify or ingest).",
    labelNames: ["model", "label", "via"] as const,
    registers: [registry],
  });
  const confidence = new client.Histogram({
    name: "newsintel_prediction_confidence",
    help: "Probability of the predicted label (its mean is sum / count).",
    labelNames: ["model"] as const,
    buckets: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
    registers: [registry],
  });
  return { predictions, confidence };
}

type MetricValues = Map<string, client.MetricValue<string>[]>;

/** Per route: counts by status, errors, and latency percentiles and mean in ms. */
function routeStats(values: MetricValues): RouteStats[] {
  const routes = new Map<string, RouteStats>();
  for (const v of values.get("http_requests_total") ?? []) {
    const { method, route, status } = v.labels as Record<string, string>;
    const key = `${method} ${route}`;
    const r = routes.get(key) ?? {
      method,
      route,
      count: 0,
      errors: 0,
      byStatus: {},
      latencyMs: { p50: 0, p90: 0, p99: 0, mean: 0 },
    };
    r.count += v.value;
    if (Number(status) >= 400) r.errors += v.value;
    r.byStatus[status] = (r.byStatus[status] ?? 0) + v.value;
    routes.set(key, r);
  }
  const sums = new Map<string, { sum: number; count: number }>();
  for (const v of values.get("http_request_duration_quantiles_seconds") ?? []) {
    const { method, route, quantile } = v.labels as Record<string, string | number>;
    const key = `${method} ${route}`;
    const r = routes.get(key);
    const name = (v as { metricName?: string }).metricName ?? "";
    if (!r) continue;
    const ms = Math.round(v.value * 1e6) / 1e3;
    if (quantile === 0.5) r.latencyMs.p50 = ms;
    else if (quantile === 0.9) r.latencyMs.p90 = ms;
    else if (quantile === 0.99) r.latencyMs.p99 = ms;
    else if (name.endsWith("_sum") || name.endsWith("_count")) {
      const s = sums.get(key) ?? { sum: 0, count: 0 };
      if (name.endsWith("_sum")) s.sum = v.value;
      else s.count = v.value;
      sums.set(key, s);
    }
  }
  for (const [key, s] of sums) {
    const r = routes.get(key)!;
    r.latencyMs.mean = s.count ? Math.round((s.sum / s.count) * 1e6) / 1e3 : 0;
  }
  return [...routes.values()];
}

/** The JSON summary of one snapshot of the registry (or of every process's, summed). */
function summary(
  values: MetricValues,
  gauges: Set<string>,
  figures: { started: number; processes: number },
) {
  const all = routeStats(values);
  const sumWhere = (pred: (status: number) => boolean) =>
    all.reduce(
      (n, r) =>
        n + Object.entries(r.byStatus).filter(([s]) => pred(Number(s))).reduce(
          (m, [, c]) => m + c,
          0,
        ),
      0,
    );
  const gaugeValues: Record<string, number> = {};
  // Read with the snapshot above, not again.
  for (const name of gauges) gaugeValues[name] = values.get(name)?.[0]?.value ?? 0;
  const mem = Deno.memoryUsage();
  return {
    uptimeSeconds: Math.round((Date.now() - figures.started) / 1000),
    requests: {
      total: all.reduce((n, r) => n + r.count, 0),
      clientErrors: sumWhere((s) => s >= 400 && s < 500),
      serverErrors: sumWhere((s) => s >= 500),
      inFlight: values.get("http_requests_in_flight")?.[0]?.value ?? 0,
    },
    routes: all.sort((a, b) => b.count - a.count),
    gauges: gaugeValues,
    process: { residentMemoryBytes: mem.rss, heapUsedBytes: mem.heapUsed },
    processes: figures.processes,
  };
}

/** Creates a fresh registry (one per app, so tests do not share counters). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const ttlMs = options.gaugeCacheMs ?? GAUGE_CACHE_MS;
  const now = options.now ?? Date.now;
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: "newsintel" });
  registerProcessMetrics(registry);
  const started = Date.now();
  const { requests, duration, quantiles, inFlight } = registerHttpMetrics(registry);
  /** Names of the unlabelled gauges added with gauge(), listed in the JSON summary. */
  const gauges = new Set<string>();
  const { predictions, confidence } = registerPredictionMetrics(registry);

  let shared: MetricsShare | undefined;
  const snapshot = () => shared?.aggregate() ?? Promise.resolve(registry);

  return {
    registry,
    inFlight,
    observeRequest(rawMethod, route, status, seconds) {
      const method = methodLabel(rawMethod);
      const s = String(status);
      requests.inc({ method, route, status: s });
      duration.observe({ method, route, status: s }, seconds);
      quantiles.observe({ method, route }, seconds);
    },
    gauge(name, help, uncached) {
      gauges.add(name);
      const read = cachedRead(uncached, ttlMs, now);
      new client.Gauge({
        name,
        help,
        registers: [registry],
        aggregator: "first",
        async collect() {
          this.set(await read());
        },
      });
    },
    labelledGauge(name, help, labelNames, uncached) {
      const read = cachedRead(uncached, ttlMs, now);
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        aggregator: "first",
        async collect() {
          this.reset();
          for (const [labels, value] of await read()) this.set(labels, value);
        },
      });
    },
    observePredictions(via, model, list) {
      for (const p of list) {
        predictions.inc({ model, label: p.label, via });
        confidence.observe({ model }, p.score);
      }
    },
    prometheus: async () => (await snapshot()).metrics(),
    async json() {
      const values: MetricValues = new Map(
        (await (await snapshot()).getMetricsAsJSON()).map((m) => [m.name, m.values]),
      );
      return summary(values, gauges, { started, processes: shared?.processes() ?? 1 });
    },
    async share(dir) {
      shared = await shareMetrics(registry, dir);
    },
    async close() {
      await shared?.close();
    },
  };
}
