// deno-lint-ignore-file no-console
/**
 * How one PostgreSQL database behaves as the article history grows: loads a synthetic
 * history (bench/synthetic_history.ts: realistic text from the AG News sample's vocabulary,
 * a prediction per article, the trend counters) into a throwaway database on
 * 127.0.0.1:5432, and at each size step times
 *
 * - ingestion: 1,000 sample articles in batches of 100 through `ingestArticles()` with
 *   the trained default model loaded, summarizer and language id (what POST /v1/articles
 *   does after validation), and the trend fold;
 * - trends: a year of daily buckets with rising terms (`labelTrends()`);
 * - search: full-text queries (`listArticles({ q })`, a page of 50, newest first) for a
 *   common word, a rare word and two words, and the newest page of one source;
 * - bulk load rate and the bytes on disk (table, full-text index, predictions, database).
 *
 *   deno task bench scale
 *   SCALE_STEPS=100000,1000000,3000000 deno task bench scale   (sizes to stop at)
 *   BENCH_DB_URL=postgres://user@host:5432/postgres            (server to create it on)
 *   SCALE_KEEP=1                                               (keep the database)
 */
import { join } from "node:path";
import postgres from "postgres";
import { readDataset } from "../datasets/mod.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { migrate } from "../db/migrate.ts";
import { listArticles } from "../db/articles.ts";
import { openPostgres } from "../db/postgres.ts";
import {
  analyzeHistory,
  historySizes,
  insertSyntheticHistory,
  insertSyntheticTerms,
} from "./synthetic_history.ts";
import { foldPendingStats } from "../db/trends.ts";
import { loadConfig } from "../lib/config.ts";
import { ingestArticles } from "../services/ingest.ts";
import { labelTrends } from "../services/trends.ts";
import { withServices } from "../cli/context.ts";
import { ensureActiveModel } from "../services/model_runtime.ts";

const ROOT = join(import.meta.dirname!, "..");
const SLICE = 50_000;
const TOPICS = ["World", "Sports", "Business", "Sci/Tech"];
const SOURCES = Array.from({ length: 20 }, (_, i) => `source-${i}`);
const FROM = "2018-01-01";
const DAYS = 5 * 365;

/** The sample's words by frequency (3+ letters), and its articles as API inputs. */
async function sample(): Promise<{ vocabulary: string[]; articles: ArticleInput[] }> {
  const counts = new Map<string, number>();
  const articles: ArticleInput[] = [];
  for (const file of ["agnews/train_10k.csv", "huffpost/news_category_10k.jsonl"]) {
    for await (const { label: _l, ...r } of readDataset(join(ROOT, "data", file))) {
      const text = `${r.title} ${r.body}`.toLowerCase();
      for (const w of text.match(/[a-z]{3,}/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
      const entries = Object.entries(r).filter(([, v]) => v !== null && v !== undefined);
      articles.push(Object.fromEntries(entries) as unknown as ArticleInput);
    }
  }
  const vocabulary = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20_000).map(([w]) => w);
  return { vocabulary, articles };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/** Median and worst of `runs` timings after one warm-up, in ms. */
async function latency(
  fn: () => Promise<unknown>,
  runs = 7,
): Promise<{ p50: number; max: number }> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn))[1]);
  times.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(times[Math.floor(times.length / 2)]), max: r(times[times.length - 1]) };
}

export async function main(): Promise<Record<string, unknown>> {
  const server = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const steps = (Deno.env.get("SCALE_STEPS") ?? "100000,300000,1000000").split(",").map(Number)
    .filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  const name = `newsintel_scale_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  // Bulk loads and a cold full-text query may take longer than the service's 30 s.
  const db = openPostgres(url.toString(), { max: 4, statementTimeoutMs: 0 });
  // The trained default model is kept between runs (training it takes minutes on a busy
  // machine) and served from there as a local model.
  const modelDir = join(ROOT, "tmp", "bench-scale-models");
  const trained = await firstModelDir(modelDir);
  const rows: Array<Record<string, unknown>> = [];
  try {
    await migrate(db);
    const config = loadConfig({
      DB_URL: url.toString(),
      MODEL_DIR: modelDir,
      DATA_DIR: join(ROOT, "tmp"),
      SEED_ON_EMPTY: "false",
      ...(trained ? { HF_MODEL: trained } : {}),
    });
    console.error("training the default model (as a first start does) ...");
    const version = await ensureActiveModel(db, config);
    const { vocabulary, articles } = await sample();
    const [, termMs] = await timed(() =>
      insertSyntheticTerms(db, {
        from: FROM,
        days: DAYS,
        topics: TOPICS,
        vocabulary,
        termsPerDay: 300,
      })
    );
    console.error(`term statistics: ${Math.round(termMs / 1000)} s`);
    await withServices(db, config, async (services) => {
      let loaded = 0;
      let ingested = 0;
      for (const step of steps) {
        const [, loadMs] = await timed(async () => {
          while (loaded < step) {
            const count = Math.min(SLICE, step - loaded);
            await insertSyntheticHistory(db, {
              first: loaded + 1,
              count,
              vocabulary,
              bodyWords: 40,
              topics: TOPICS,
              sources: SOURCES,
              from: FROM,
              days: DAYS,
              modelVersion: version,
            });
            loaded += count;
          }
          await analyzeHistory(db);
        });
        const batch = Array.from({ length: 1_000 }, (_, i) => ({
          ...articles[(ingested + i) % articles.length],
          externalId: `scale-${name}-${ingested + i}`,
        }));
        ingested += batch.length;
        const [, ingestMs] = await timed(async () => {
          for (let i = 0; i < batch.length; i += 100) {
            await ingestArticles(db, batch.slice(i, i + 100), services);
          }
          await foldPendingStats(db);
        });
        const q = (text: string) => () => listArticles(db, { q: text, limit: 51 });
        const row = {
          articles: loaded + ingested,
          loadSeconds: Math.round(loadMs / 100) / 10,
          ingestArticlesPerS: Math.round(batch.length / (ingestMs / 1000)),
          trendsYearDailyMs: await latency(() =>
            labelTrends(db, {
              bucket: "day",
              from: "2021-01-01T00:00:00Z",
              to: "2022-01-01T00:00:00Z",
              terms: 10,
            })
          ),
          searchCommonMs: await latency(q(vocabulary[5])),
          searchRareMs: await latency(q(vocabulary[15_000])),
          searchTwoWordsMs: await latency(q(`${vocabulary[40]} ${vocabulary[400]}`)),
          newestOfSourceMs: await latency(() =>
            listArticles(db, { source: "source-3", limit: 51 })
          ),
          bytes: await historySizes(db),
        };
        rows.push(row);
        printRow(row);
      }
    });
    return { database: name, steps: rows };
  } finally {
    await db.close();
    if (Deno.env.get("SCALE_KEEP") !== "1") {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    await admin.end();
  }
}

/** A model directory (with its manifest) under `root`, if a run left one. */
async function firstModelDir(root: string): Promise<string | undefined> {
  try {
    for await (const e of Deno.readDir(root)) {
      const dir = join(root, e.name);
      if (e.isDirectory && !e.name.startsWith(".")) {
        if (await Deno.stat(join(dir, "manifest.json")).then(() => true, () => false)) return dir;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return undefined;
}

function printRow(r: Record<string, unknown>): void {
  const ms = (x: unknown) => {
    const v = x as { p50: number; max: number };
    return `${v.p50}/${v.max}`;
  };
  const b = r.bytes as Record<string, number>;
  const mb = (x: number) => `${Math.round(x / 1e6)}MB`;
  console.error(
    [
      `articles ${r.articles}`,
      `load ${r.loadSeconds}s`,
      `ingest ${r.ingestArticlesPerS}/s`,
      `trends ${ms(r.trendsYearDailyMs)}ms`,
      `search common ${ms(r.searchCommonMs)} rare ${ms(r.searchRareMs)} two ${
        ms(r.searchTwoWordsMs)
      }ms`,
      `source page ${ms(r.newestOfSourceMs)}ms`,
      `table ${mb(b.articlesTotal)} fts ${mb(b.searchIndex)} preds ${mb(b.predictionsTotal)} db ${
        mb(b.database)
      }`,
    ].join(" | "),
  );
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
