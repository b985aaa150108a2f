/**
 * The first start's sample articles, seeded in the background once the service is ready:
 * classify and the console answer from the first second, and the dashboard and the log
 * show how far the seeding got. Stopping the service stops it between two batches (each
 * batch is one transaction); `newsintel seed` stores the rest without storing any twice.
 */
import { countArticles } from "../db/articles.ts";
import type { Db } from "../db/mod.ts";
import { readDataset } from "../datasets/mod.ts";
import { logger } from "../lib/log.ts";
import type { Metrics } from "../lib/metrics.ts";
import type { IngestServices } from "./ingest.ts";
import { SAMPLE_DATASETS, seedSamples } from "./seed.ts";

const log = logger("seed");

/** How far a background seeding got: records read of the samples' total. */
export interface SeedProgress {
  state: "idle" | "seeding" | "done" | "failed" | "stopped";
  read: number;
  created: number;
  total: number;
}

/** Log a progress line every this many records. */
const LOG_EVERY = 5_000;

/** Records in the sample data sets (read once, to show progress against). */
async function sampleRecords(paths: string[]): Promise<number> {
  let n = 0;
  for (const path of paths) {
    for await (const _ of readDataset(path)) n++;
  }
  return n;
}

export interface BackgroundSeed {
  progress(): SeedProgress;
  /** Settles when the seeding ended (done, failed or stopped); never rejects. */
  finished: Promise<void>;
}

/**
 * Seeds the sample articles into an empty database in the background, with progress in
 * the log and in the gauges `newsintel_seed_records_read` and `newsintel_seed_records_total`
 * (the dashboard shows them). Does nothing when the database holds articles already.
 */
export function seedInBackground(
  db: Db,
  options: {
    services: IngestServices;
    metrics?: Metrics;
    signal?: AbortSignal;
    datasets?: string[];
  },
): BackgroundSeed {
  const datasets = options.datasets ?? SAMPLE_DATASETS;
  const progress: SeedProgress = { state: "idle", read: 0, created: 0, total: 0 };
  options.metrics?.gauge(
    "newsintel_seed_records_read",
    "Sample records the first start has seeded so far.",
    () => progress.read,
  );
  options.metrics?.gauge(
    "newsintel_seed_records_total",
    "Sample records the first start seeds (0 when it seeds none).",
    () => progress.state === "idle" ? 0 : progress.total,
  );
  const run = async () => {
    if ((await countArticles(db)) > 0) return;
    progress.total = await sampleRecords(datasets);
    progress.state = "seeding";
    log.info("seeding {total} sample articles in the background", { total: progress.total });
    const started = performance.now();
    let logged = 0;
    const r = await seedSamples(db, {
      services: options.services,
      datasets,
      signal: options.signal,
      onProgress: (p) => {
        progress.read = p.read;
        progress.created = p.created;
        if (p.read - logged >= LOG_EVERY) {
          logged = p.read;
          log.info("seeded {read} of {total} sample articles", {
            read: p.read,
            total: progress.total,
          });
        }
      },
    });
    if (options.signal?.aborted) {
      progress.state = "stopped";
      log.info("seeding stopped after {read} records (`newsintel seed` adds the rest)", {
        read: r.read,
      });
      return;
    }
    progress.state = "done";
    log.info("seeded {created} articles in {seconds}s", {
      created: r.created,
      seconds: Math.round(performance.now() - started) / 1000,
    });
  };
  const finished = run().catch((error) => {
    progress.state = "failed";
    log.error("seeding the sample articles failed: {error}", { error });
  });
  return { progress: () => ({ ...progress }), finished };
}
