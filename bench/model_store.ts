// deno-lint-ignore-file no-console
// The model store on PostgreSQL and in an S3 bucket: how long a replica with an empty MODEL_DIR takes to
// fetch a model from the database, check every file's sha256 and start serving it
// (`createModelRuntime()`: fetch, verify, load, one classification), and how much the
// database grows per stored model. The models are toy models trained on the spot and
// padded with one extra file of random bytes (listed in the manifest like any bundle
// file, so it is stored, fetched and verified the same way) to about 12 MB and 40 MB;
// random bytes do not compress, so the growth is that of a real model of the same size.
// Each size is stored once in a fresh schema and fetched REPEAT times (default 3) into
// empty folders; the median is reported. Measured (2 cores shared with other work,
// PostgreSQL 127.0.0.1, REPEAT=3): 12 MB stored in 1.5 s, fetched, verified and serving in
// 1.1 s (1.07-1.51 s), the database 12.5 MB larger; 40 MB stored in 4.3 s, serving in
// 4.7 s (4.0-4.8 s), 41.6 MB larger.
// The same models kept in a bucket (MODEL_STORE_URL) on s3rver on loopback, in the same run
// as PostgreSQL (REPEAT=1, 2 cores shared): 12 MB stored in 0.26 s and serving in 0.45 s
// (PostgreSQL: 1.3 s, 1.25 s); 40 MB stored in 1.0 s and serving in 3.9 s (PostgreSQL:
// 6.6 s, 7.8 s); the database grows by nothing but the registry row.
//
//   deno run --allow-all bench/model_store.ts     (or: deno task bench model-store)
//   PostgreSQL from BENCH_DB_URL (default postgres://postgres@127.0.0.1:5432/postgres)

import { join } from "node:path";
import type { Db } from "../db/mod.ts";
import { migrate } from "../db/migrate.ts";
import { openPostgres } from "../db/postgres.ts";
import { freshSchema } from "../testing/db/test_db.ts";
import { activateModel } from "../db/models.ts";
import { storedModelBytes } from "../db/model_files.ts";
import { loadConfig } from "../lib/config.ts";
import { type Manifest, sha256 } from "../ml/mod.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { createModelRuntime } from "../services/model_runtime.ts";
import { type BundleStore, bundleStoreFor } from "../services/model_store.ts";
import { startTestS3 } from "../testing/services/test_s3.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { registerTrained, trainModelDir } from "../services/training.ts";

const MB = 1024 * 1024;

/** A toy model in `root/<version>` padded to about `totalMb` with an extra listed file. */
async function paddedModel(root: string, totalMb: number): Promise<Manifest> {
  const manifest = await trainModelDir(toyCorpus(300, 7), {
    ...TOY_TRAINING,
    name: "topic",
    modelDir: root,
  });
  const dir = join(root, manifest.version);
  let size = 0;
  for (const file of Object.keys(manifest.files)) size += (await Deno.stat(join(dir, file))).size;
  const pad = new Uint8Array(Math.max(0, totalMb * MB - size));
  for (let i = 0; i < pad.length; i += 65_536) {
    crypto.getRandomValues(pad.subarray(i, Math.min(pad.length, i + 65_536)));
  }
  await Deno.mkdir(join(dir, "extra"), { recursive: true });
  await Deno.writeFile(join(dir, "extra", "padding.bin"), pad);
  const padded = { ...manifest, files: { ...manifest.files, "extra/padding.bin": sha256(pad) } };
  await Deno.writeTextFile(join(dir, "manifest.json"), JSON.stringify(padded, null, 2));
  return padded;
}

async function tableBytes(db: Db): Promise<number> {
  const [row] = await db.query<{ bytes: string }>(
    "SELECT pg_total_relation_size('model_files') AS bytes",
  );
  return Number(row.bytes);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms for REPEAT replicas with empty MODEL_DIRs to fetch, verify and serve the model. */
async function activateTimes(
  db: Db,
  env: Record<string, string>,
  root: string,
  repeat: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const modelDir = join(root, `replica-${crypto.randomUUID().slice(0, 8)}`);
    const started = performance.now();
    const runtime = await createModelRuntime(db, loadConfig({ ...env, MODEL_DIR: modelDir }));
    await runtime.classify(["a late goal wins the match"]);
    times.push(performance.now() - started);
    await runtime.close();
  }
  return times;
}

/** Stores `manifest`'s model (in `store`, else the database) and activates it; ms taken. */
async function storeAndActivate(
  db: Db,
  manifest: Manifest,
  modelDir: string,
  store?: BundleStore,
): Promise<number> {
  const started = performance.now();
  await db.transaction(async (tx) => {
    await registerTrained(tx, manifest, { modelDir, store });
    await activateModel(tx, { version: manifest.version, action: "promote", actor: "bench" });
  });
  return performance.now() - started;
}

export async function main(): Promise<Record<string, unknown>> {
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const repeat = Number(Deno.env.get("REPEAT") ?? 3);
  const results: Record<string, unknown> = {};
  for (const sizeMb of [12, 40]) {
    const root = await Deno.makeTempDir({ prefix: "bench-model-store-" });
    const manifest = await paddedModel(join(root, "trained"), sizeMb);
    try {
      // From PostgreSQL.
      const schema = await freshSchema(url, "bench_store");
      const db = openPostgres(schema.url, { max: 2 });
      try {
        await migrate(db);
        const before = await tableBytes(db);
        const storeMs = await storeAndActivate(db, manifest, join(root, "trained"));
        const growth = (await tableBytes(db)) - before;
        const payload = await storedModelBytes(db);
        const activate = await activateTimes(db, {}, root, repeat);
        const figures = {
          bundleMB: +(payload / MB).toFixed(1),
          storeMs: Math.round(storeMs),
          fetchVerifyActivateMs: Math.round(median(activate)),
          runsMs: activate.map(Math.round),
          dbGrowthMB: +(growth / MB).toFixed(1),
        };
        console.error(`${sizeMb} MB model from PostgreSQL:`, figures);
        results[`${sizeMb}MB`] = figures;
      } finally {
        await db.close();
        await schema.drop();
      }
      // From the S3 stand-in (s3rver on loopback); the database keeps only the registry row.
      const s3 = await startTestS3();
      const s3Schema = await freshSchema(url, "bench_store");
      const s3Db = openPostgres(s3Schema.url, { max: 2 });
      const env = s3.env("bench");
      const store = await bundleStoreFor(loadConfig(env));
      try {
        await migrate(s3Db);
        const before = await tableBytes(s3Db);
        const storeMs = await storeAndActivate(s3Db, manifest, join(root, "trained"), store);
        const growth = (await tableBytes(s3Db)) - before;
        const activate = await activateTimes(s3Db, env, root, repeat);
        const figures = {
          storeMs: Math.round(storeMs),
          fetchVerifyActivateMs: Math.round(median(activate)),
          runsMs: activate.map(Math.round),
          dbGrowthMB: +(growth / MB).toFixed(1),
        };
        console.error(`${sizeMb} MB model from s3rver:`, figures);
        results[`${sizeMb}MB-s3`] = figures;
      } finally {
        store.close?.();
        await s3Db.close();
        await s3Schema.drop();
        await s3.stop();
        await Deno.remove(s3.directory, { recursive: true });
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
  return results;
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
