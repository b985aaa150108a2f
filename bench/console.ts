// deno-lint-ignore-file no-console
// Console targets (issue 4): every console page's first byte ≤ 50 ms, and the
// islands' JavaScript ≤ 80 KB gzipped in total.
//
// Builds the islands (and measures them), opens an in-memory PGlite, trains and
// serves the default model, seeds the bundled samples (AG News + HuffPost, 20k
// articles, classified, with trend statistics), queues a few hundred items for
// review, then serves the app on a loopback port and times the response headers
// (first byte) of each page with a signed session cookie, after a warm-up.
//
//   deno run --allow-all bench/console.ts
import { join } from "node:path";
import { registerTestModel, seedQueue } from "../testing/db/review/test_helpers.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { createMetrics } from "../lib/metrics.ts";
import { createModelRuntime, ensureActiveModel } from "../services/model_runtime.ts";
import { seedSamples } from "../services/seed.ts";
import { createSession, sessionSecret } from "../lib/console_session.ts";
import { createTextServices } from "../services/text_services.ts";
import { createApp } from "../routes/app.ts";
import { buildIslands, ISLANDS_BUDGET_GZIP } from "../scripts/build_islands.ts";

const FIRST_BYTE_TARGET_MS = 50;
const RUNS = 40;
const PAGES = ["/", "/review", "/queue", "/articles", "/articles?q=election", "/models", "/trends"];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

export async function main() {
  const build = await buildIslands({ quiet: true });
  console.error(`islands JS: ${(build.totalJsGzip / 1024).toFixed(1)} KB gzipped`);

  const dir = await Deno.makeTempDir({ prefix: "newsintel-bench-console-" });
  const { db, close } = await pgliteTestDb();
  const key = "bench-console-key-0001";
  const config = loadConfig({
    API_KEYS: `bench=${key}`,
    SESSION_SECRET: "bench-console-session-secret-0123456789",
    MODEL_DIR: join(dir, "models"),
    DATA_DIR: dir,
    LOG_LEVEL: "error",
  });
  const models = await (async () => {
    console.error("training the default model…");
    await ensureActiveModel(db, config);
    return await createModelRuntime(db, config);
  })();
  const text = await createTextServices(config);
  console.error("seeding the samples…");
  const seeded = await seedSamples(db, { services: { models, text } });
  await registerTestModel(db);
  await seedQueue(db, 500, { prefix: "bench" });

  const app = createApp({ config, db, metrics: createMetrics(), models, text });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const secret = sessionSecret(config.sessionSecret);
  const { value } = createSession(secret, config.apiKeys[0], { ttlSeconds: 3600 });
  const headers = { cookie: `ni_session=${value}` };

  const pages: Record<string, { p50: number; p95: number; max: number; bytes: number }> = {};
  try {
    for (const path of PAGES) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS + 5; i++) {
        const t0 = performance.now();
        const res = await fetch(base + path, { headers });
        const t = performance.now() - t0; // fetch resolves when the headers arrive
        const body = await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        bytes = body.byteLength;
        if (i >= 5) times.push(t); // the first few warm caches and the JIT
      }
      times.sort((a, b) => a - b);
      const round = (n: number) => Math.round(n * 10) / 10;
      pages[path] = {
        p50: round(percentile(times, 0.5)),
        p95: round(percentile(times, 0.95)),
        max: round(times[times.length - 1]),
        bytes,
      };
      console.error(
        `${path.padEnd(24)} first byte p50 ${pages[path].p50} ms, p95 ${pages[path].p95} ms`,
      );
    }
  } finally {
    await server.shutdown();
    await models.close();
    await close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const worstP95 = Math.max(...Object.values(pages).map((p) => p.p95));
  return {
    articles: seeded.created,
    reviewItems: 500,
    runsPerPage: RUNS,
    pages,
    firstByte: {
      worstP95Ms: worstP95,
      targetMs: FIRST_BYTE_TARGET_MS,
      met: worstP95 <= FIRST_BYTE_TARGET_MS,
    },
    islands: {
      totalGzipBytes: build.totalJsGzip,
      totalBytes: build.totalJsBytes,
      files: build.files,
      budgetBytes: ISLANDS_BUDGET_GZIP,
      met: build.totalJsGzip <= ISLANDS_BUDGET_GZIP,
    },
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
