/**
 * `/metrics`: JSON by default; Prometheus text with `Accept: text/plain` or `?format=prometheus`.
 * Open to loopback, else a key is needed unless `METRICS_PUBLIC` is set (`metricsAccess`
 * in routes/middleware.ts, mounted before this route).
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../env.ts";

export function metricsApi({ metrics }: AppDeps) {
  return new Hono<AppEnv>().get("/metrics", async (c) => {
    const accept = c.req.header("accept") ?? "";
    const format = c.req.query("format");
    const wantsText = format === "prometheus" ||
      (format !== "json" && /text\/plain|openmetrics/.test(accept) &&
        !/application\/json/.test(accept));
    if (wantsText) {
      return c.text(await metrics.prometheus(), 200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      });
    }
    return c.json(await metrics.json());
  });
}
