// deno-lint-ignore-file no-console
// Ingestion with classification (articles/s) in batches of 500, on the embedded database
// (PGlite in an on-disk temp dir): `ingestArticles()` with the served models of one
// taxonomy (`topic`) and of two (`topic` and `section`), so the cost of a second taxonomy
// is measured, and the one-taxonomy figure can be compared with earlier versions. The
// models are small toy models trained on the spot (the same size for both taxonomies),
// so the figures are of the ingestion path, not of a large model. Each run ingests fresh
// copies of the shipped HuffPost and AG News samples (BENCH_ARTICLES, default 5,000).
//
// Each case runs in a fresh database: when the second case ingested copies of the first one's
// articles into the same database, every article found its twin as a story candidate and the
// second taxonomy looked twice as costly as it is. Measured (2 cores, three runs): one
// taxonomy 607-795 articles/s, two 428-538, a ratio of 0.68-0.70.
//
//   deno run --allow-all bench/taxonomies.ts     (or: deno task bench taxonomies)

import { join } from "node:path";
import { readDataset } from "../datasets/mod.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { migrate } from "../db/migrate.ts";
import { activateModel } from "../db/models.ts";
import { type Db, openDb } from "../db/mod.ts";
import { foldPendingStats } from "../db/trends.ts";
import { loadConfig } from "../lib/config.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { ingestArticles } from "../services/ingest.ts";
import { createModelRuntime } from "../services/model_runtime.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { trainAndRegister } from "../services/training.ts";

const BATCH = 500;
const SOURCES = [
  join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl"),
  join(import.meta.dirname!, "../data/agnews/train_10k.csv"),
];

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

/** Trains a toy model of `taxonomy` and activates it. */
async function addModel(db: Db, modelDir: string, taxonomy: string): Promise<void> {
  const relabel = (l: string) => taxonomy === "topic" ? l : l.toUpperCase();
  const manifest = await trainAndRegister(
    db,
    toyCorpus(600, 7).map((e) => ({ ...e, label: relabel(e.label) })),
    { ...TOY_TRAINING, seed: 1, name: taxonomy, modelDir },
    { taxonomy },
  );
  await db.transaction((tx) =>
    activateModel(tx, { version: manifest.version, action: "promote", actor: "bench" })
  );
}

/** Ingests `articles` (fresh ids tagged `tag`) with every active model; articles per second. */
async function ingestWithModels(
  db: Db,
  modelDir: string,
  articles: ArticleInput[],
  tag: string,
): Promise<{ articles: number; seconds: number; articlesPerSecond: number }> {
  const models = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
  try {
    const fresh = articles.map((a, i) => ({ ...a, externalId: `bench-${tag}-${i}` }));
    // One uncounted batch first, so JIT and first-write costs are not timed.
    await ingestArticles(
      db,
      fresh.slice(0, BATCH).map((a) => ({ ...a, externalId: `warm-${a.externalId}` })),
      { models },
    );
    const start = performance.now();
    for (let i = 0; i < fresh.length; i += BATCH) {
      await ingestArticles(db, fresh.slice(i, i + BATCH), { models });
    }
    await foldPendingStats(db);
    const seconds = (performance.now() - start) / 1000;
    return {
      articles: fresh.length,
      seconds: Math.round(seconds * 100) / 100,
      articlesPerSecond: Math.round(fresh.length / seconds),
    };
  } finally {
    await models.close();
  }
}

/**
 * Ingestion into a fresh database with a model for each of `taxonomies`: each case starts
 * empty, so the second does not find the first one's copies as stories or grow its indexes.
 */
async function ingestInFreshDatabase(articles: ArticleInput[], taxonomies: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-bench-taxonomies-" });
  const db = await openDb(`pglite://${dir}/db`);
  try {
    await migrate(db);
    const modelDir = join(dir, "models");
    for (const taxonomy of taxonomies) await addModel(db, modelDir, taxonomy);
    return await ingestWithModels(db, modelDir, articles, taxonomies.join("-"));
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

export async function main() {
  const n = Number(Deno.env.get("BENCH_ARTICLES") ?? 5_000);
  const articles = await loadArticles(n);
  const one = await ingestInFreshDatabase(articles, ["topic"]);
  console.error(`one taxonomy:  ${one.articlesPerSecond} articles/s (${one.seconds}s)`);
  const two = await ingestInFreshDatabase(articles, ["topic", "section"]);
  console.error(`two taxonomies: ${two.articlesPerSecond} articles/s (${two.seconds}s)`);
  return {
    database: "pglite (on disk, temp dir, fresh for each case)",
    oneTaxonomy: one,
    twoTaxonomies: two,
    ratio: Math.round((two.articlesPerSecond / one.articlesPerSecond) * 100) / 100,
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
