/**
 * Process metrics with prom-client: request counts, a latency histogram and
 * latency percentiles per route, in-flight requests, process metrics, and
 * gauges other modules register (articles stored, ...). Served as Prometheus
 * text or as a compact JSON summary.
 */
import client from "prom-client";

export interface Metrics {
  registry: client.Registry;
  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  inFlight: client.Gauge;
  /** Adds a gauge whose value is read at scrape time. */
  gauge(name: string, help: string, read: () => Promise<number> | number): void;
  /** Adds a gauge with labels, read at scrape time as a list of (labels, value). */
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
  process: { residentMemoryBytes: number; heapUsedBytes: number };
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

/** Creates a fresh registry (one per app, so tests do not share counters). */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service: "newsintel" });
  client.collectDefaultMetrics({ register: registry });
  const started = Date.now();
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
    ageBuckets: 5,
    registers: [registry],
  });
  const inFlight = new client.Gauge({
    name: "http_requests_in_flight",
    help: "HTTP requests being served now.",
    registers: [registry],
  });
  const gauges = new Map<string, () => Promise<number> | number>();
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

  return {
    registry,
    inFlight,
    observeRequest(method, route, status, seconds) {
      const s = String(status);
      requests.inc({ method, route, status: s });
      duration.observe({ method, route, status: s }, seconds);
      quantiles.observe({ method, route }, seconds);
    },
    gauge(name, help, read) {
      gauges.set(name, read);
      new client.Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(await read());
        },
      });
    },
    labelledGauge(name, help, labelNames, read) {
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
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
    prometheus: () => registry.metrics(),
    async json() {
      const routes = new Map<string, RouteStats>();
      const counts = await requests.get();
      for (const v of counts.values) {
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
      const q = await quantiles.get();
      const sums = new Map<string, { sum: number; count: number }>();
      for (const v of q.values) {
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
      const all = [...routes.values()];
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
      for (const [name, read] of gauges) gaugeValues[name] = await read();
      const mem = Deno.memoryUsage();
      return {
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        requests: {
          total: all.reduce((n, r) => n + r.count, 0),
          clientErrors: sumWhere((s) => s >= 400 && s < 500),
          serverErrors: sumWhere((s) => s >= 500),
          inFlight: (await inFlight.get()).values[0]?.value ?? 0,
        },
        routes: all.sort((a, b) => b.count - a.count),
        gauges: gaugeValues,
        process: { residentMemoryBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      };
    },
  };
}
