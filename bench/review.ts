// deno-lint-ignore-file no-console
// Review claim + decide round trip: `claimNext()` for one item, then `decide()`
// accepting it, timed together, on PostgreSQL (BENCH_DB_URL, default
// postgres://postgres@127.0.0.1:5432/postgres, in a fresh schema dropped
// afterwards) and, for comparison, on PGlite in a temp dir.
//
// The queue holds BENCH_REVIEW_ITEMS (default 20,000) items with random margins,
// so every claim picks from a large queue. Runs: one reviewer after another
// (sequential), and 4 or 8 reviewers at once on a pool of 10 connections
// (concurrent; each round trip timed from its own claim to its own decision).
// Target: p99 <= 20 ms on PostgreSQL, for the round trip a reviewer makes; the
// verdict reads the sequential run. With more reviewers than cores, client and
// server share the CPU, and the concurrent figures measure queueing for it too
// (compare perSecond with the sequential run).
//
//   deno run --allow-all bench/review.ts

import { migrate } from "../db/migrate.ts";
import { type Db, openDb, redactDbUrl } from "../db/mod.ts";
import { openPostgres } from "../db/postgres.ts";
import { claimNext, decide } from "../db/review/mod.ts";
import { ok, registerTestModel } from "../testing/db/review/test_helpers.ts";
import { freshSchema } from "../testing/db/test_db.ts";

const TARGET_P99_MS = 20;

export interface Latency {
  roundTrips: number;
  /** Round trips completed per second over the run. */
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function summarize(ms: number[], seconds: number): Latency {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    roundTrips: ms.length,
    perSecond: Math.round(ms.length / seconds),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** `n` articles, each queued once with a random margin, in three statements. */
async function fillQueue(db: Db, n: number): Promise<void> {
  await registerTestModel(db);
  await db.query(
    `INSERT INTO articles (title, body, source, published_at, content_hash, dedup_key)
     SELECT 'Bench title ' || i, 'Bench body ' || i, 'wire', now(), md5(i::text), 'bench-' || i
       FROM generate_series(1, $1::int) AS i`,
    [n],
  );
  await db.query(
    `INSERT INTO review_items (article_id, model_version, predicted_label, score, scores, margin,
                               reasons, required_labels)
     SELECT id, 'test-model-v1', 'sport', 0.5, '{"sport": 0.5, "markets": 0.3, "science": 0.2}',
            random(), '{low_confidence}', 1
       FROM articles`,
  );
}

async function roundTrip(db: Db, reviewer: string): Promise<number> {
  const started = performance.now();
  const [item] = await claimNext(db, reviewer, { limit: 1 });
  if (!item) throw new Error("the queue ran dry; raise BENCH_REVIEW_ITEMS");
  ok(await decide(db, reviewer, item.id, { action: "accept" }));
  return performance.now() - started;
}

async function sequential(db: Db, n: number): Promise<Latency> {
  const ms: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) ms.push(await roundTrip(db, "solo"));
  return summarize(ms, (performance.now() - started) / 1000);
}

async function concurrent(db: Db, reviewers: number, each: number): Promise<Latency> {
  const ms: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: reviewers }, async (_, r) => {
    for (let i = 0; i < each; i++) ms.push(await roundTrip(db, `reviewer${r}`));
  }));
  return summarize(ms, (performance.now() - started) / 1000);
}

async function suite(db: Db, items: number, runs: number) {
  await migrate(db);
  await fillQueue(db, items);
  for (let i = 0; i < 100; i++) await roundTrip(db, "warmup");
  return {
    queueSize: items,
    sequential: await sequential(db, runs),
    concurrent4: await concurrent(db, 4, Math.floor(runs / 4)),
    concurrent8: await concurrent(db, 8, Math.floor(runs / 8)),
  };
}

async function onPostgres(url: string, items: number, runs: number) {
  let schema;
  try {
    schema = await freshSchema(url, "bench");
  } catch (err) {
    return { database: redactDbUrl(url), skipped: `cannot reach it: ${(err as Error).message}` };
  }
  const db = openPostgres(schema.url, { max: 10 });
  try {
    const [{ version }] = await db.query<{ version: string }>(
      "SELECT current_setting('server_version') AS version",
    );
    return { database: `postgresql ${version}`, ...await suite(db, items, runs) };
  } finally {
    await db.close();
    await schema.drop();
  }
}

async function onPglite(items: number, runs: number) {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-bench-review-" });
  const db = await openDb(`pglite://${dir}/db`);
  try {
    return { database: "pglite (on disk, temp dir)", ...await suite(db, items, runs) };
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

export async function main(): Promise<Record<string, unknown>> {
  const items = Number(Deno.env.get("BENCH_REVIEW_ITEMS") ?? 20_000);
  const runs = Number(Deno.env.get("BENCH_REVIEW_RUNS") ?? 2_000);
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const pg = await onPostgres(url, items, runs);
  const pglite = await onPglite(items, Math.min(runs, 1_000));
  const worst = "sequential" in pg ? pg.sequential.p99 : null;
  return {
    postgres: pg,
    pglite,
    target: worst === null
      ? "skipped"
      : worst <= TARGET_P99_MS
      ? `met (p99 ${worst} ms <= ${TARGET_P99_MS} ms, one reviewer at a time)`
      : `MISSED (p99 ${worst} ms > ${TARGET_P99_MS} ms, one reviewer at a time)`,
    cores: navigator.hardwareConcurrency,
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
