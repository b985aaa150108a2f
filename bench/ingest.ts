// deno-lint-ignore-file no-console
// Ingestion throughput (articles/s) in batches of 500, on the embedded database
// (PGlite in an on-disk temp dir) and on PostgreSQL (BENCH_DB_URL, default
// postgres://postgres@127.0.0.1:5432/postgres, in a fresh schema dropped afterwards):
//
// - direct: `ingestArticles()` from services/ingest.ts, one batch after another;
// - http: `POST /v1/articles` to `createApp()` on a real `Deno.serve` on loopback,
//   with 1 and with 4 clients posting at once (the app is built without a model,
//   so this is storage only, not classification at ingestion).
//
// Articles are the shipped AG News and HuffPost samples (20,000), given ids unique
// to each run so every one is a new row; the three runs follow one another on one
// table (so later runs insert into a larger table). Targets: >= 5,000/s into PostgreSQL,
// >= 1,000/s into PGlite.
//
//   deno run --allow-all bench/ingest.ts            (BENCH_ARTICLES=N to use fewer)

import { join } from "node:path";
import { readDataset } from "../datasets/mod.ts";
import { migrate } from "../db/migrate.ts";
import { type Db, openDb, redactDbUrl } from "../db/mod.ts";
import { freshSchema } from "../testing/db/test_db.ts";
import { foldPendingStats } from "../db/trends.ts";
import { loadConfig } from "../lib/config.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { ingestArticles } from "../services/ingest.ts";
import { createMetrics } from "../lib/metrics.ts";
import { createApp } from "../routes/app.ts";

const BATCH = 500;
const TARGETS = { postgres: 5_000, pglite: 1_000 } as const;
const API_KEY = "bench-ingest-key-0001";
const SOURCES = [
  join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl"),
  join(import.meta.dirname!, "../data/agnews/train_10k.csv"),
];

export interface Throughput {
  articles: number;
  seconds: number;
  articlesPerSecond: number;
}

/** The sample articles as API inputs: no nulls (the API's fields are optional, not nullable). */
async function loadArticles(limit: number): Promise<ArticleInput[]> {
  const out: ArticleInput[] = [];
  for (const path of SOURCES) {
    for await (const { label: _label, ...r } of readDataset(path)) {
      if (out.length >= limit) return out;
      const entries = Object.entries(r).filter(([, v]) => v !== null && v !== undefined);
      out.push(Object.fromEntries(entries) as unknown as ArticleInput);
    }
  }
  return out;
}

/** A copy of the articles that no earlier run has stored (each gets a fresh external id). */
function unique(articles: ArticleInput[], tag: string): ArticleInput[] {
  const run = crypto.randomUUID().slice(0, 8);
  return articles.map((a, i) => ({ ...a, externalId: `bench-${run}-${tag}-${i}` }));
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

function throughput(articles: number, ms: number): Throughput {
  const seconds = ms / 1000;
  return {
    articles,
    seconds: Math.round(seconds * 100) / 100,
    articlesPerSecond: Math.round(articles / seconds),
  };
}

async function direct(db: Db, articles: ArticleInput[]): Promise<Throughput> {
  let created = 0;
  const start = performance.now();
  for (const batch of batches(articles)) {
    created += (await ingestArticles(db, batch)).filter((o) => o.status === "created").length;
  }
  await foldPendingStats(db); // the trend statistics are part of the work
  const ms = performance.now() - start;
  if (created !== articles.length) throw new Error(`stored ${created} of ${articles.length}`);
  return throughput(articles.length, ms);
}

async function overHttp(db: Db, articles: ArticleInput[], clients: number): Promise<Throughput> {
  const config = loadConfig({ API_KEYS: `bench=${API_KEY}`, HOST: "127.0.0.1" });
  const app = createApp({ config, db, metrics: createMetrics(), models: null });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/v1/articles`;
  const queue = batches(articles);
  let created = 0;
  try {
    const start = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": API_KEY },
          body: JSON.stringify({ articles: batch }),
        });
        const body = await res.json();
        if (res.status !== 201) {
          throw new Error(`POST answered ${res.status}: ${JSON.stringify(body)}`);
        }
        created += body.created;
      }
    }));
    await foldPendingStats(db); // the trend statistics are part of the work
    const ms = performance.now() - start;
    if (created !== articles.length) throw new Error(`stored ${created} of ${articles.length}`);
    return throughput(articles.length, ms);
  } finally {
    await server.shutdown();
  }
}

async function suite(db: Db, articles: ArticleInput[]): Promise<Record<string, Throughput>> {
  await migrate(db);
  // One uncounted batch first, so JIT and the database's first-write costs are not timed.
  await direct(db, unique(articles.slice(0, BATCH), "warmup"));
  return {
    direct: await direct(db, unique(articles, "direct")),
    http1: await overHttp(db, unique(articles, "http1"), 1),
    http4: await overHttp(db, unique(articles, "http4"), 4),
  };
}

async function onPglite(articles: ArticleInput[]) {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-bench-" });
  const db = await openDb(`pglite://${dir}/db`);
  try {
    return { database: "pglite (on disk, temp dir)", ...await suite(db, articles) };
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function onPostgres(url: string, articles: ArticleInput[]) {
  let schema;
  try {
    schema = await freshSchema(url, "bench");
  } catch (err) {
    return { database: redactDbUrl(url), skipped: `cannot reach it: ${(err as Error).message}` };
  }
  const db = await openDb(schema.url);
  try {
    const [{ version }] = await db.query<{ version: string }>(
      "SELECT current_setting('server_version') AS version",
    );
    return {
      database: `postgresql ${version} (${redactDbUrl(url)})`,
      ...await suite(db, articles),
    };
  } finally {
    await db.close();
    await schema.drop();
  }
}

function verdict(result: Record<string, unknown>, target: number) {
  const figures = Object.values(result).filter((v): v is Throughput =>
    typeof v === "object" && v !== null && "articlesPerSecond" in v
  );
  if (figures.length === 0) return "skipped";
  const worst = Math.min(...figures.map((f) => f.articlesPerSecond));
  return worst >= target
    ? `met (slowest ${worst}/s >= ${target}/s)`
    : `MISSED (${worst}/s < ${target}/s)`;
}

export async function main(): Promise<Record<string, unknown>> {
  const limit = Number(Deno.env.get("BENCH_ARTICLES") ?? 20_000);
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const articles = await loadArticles(limit);
  const pglite = await onPglite(articles);
  const pg = await onPostgres(url, articles);
  return {
    batchSize: BATCH,
    articles: articles.length,
    pglite,
    postgres: pg,
    targets: {
      pglite: verdict(pglite, TARGETS.pglite),
      postgres: verdict(pg, TARGETS.postgres),
    },
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
