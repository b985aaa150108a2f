/** `newsintel seed`: load articles from a file, a folder, the hub, or the bundled samples. */
import { Command, Option } from "@commander-js/extra-typings";
import { wholeNumber } from "./options.ts";
import { rollUpPastMonths } from "../services/trends.ts";
import { join } from "node:path";
import { AG_NEWS_LABELS, DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { downloadHubDataset } from "../datasets/hub.ts";
import { readParquet } from "../datasets/parquet.ts";
import type { Config } from "../lib/config.ts";
import { seedRecords, type SeedResult, seedSamples } from "../services/seed.ts";
import { print, printJson, startCommand, withDb, withServices } from "./context.ts";
import { progress } from "./progress.ts";

/** Which pinned revision applies to a hub data set: AG News has its own, JSON sets share one. */
export function pinnedRevision(
  config: Config,
  repo: string,
): { revision?: string; variable: string } {
  return /(^|\/)ag_news$/i.test(repo)
    ? { revision: config.hfDatasetAgNewsRevision, variable: "HF_DATASET_AG_NEWS_REVISION" }
    : { revision: config.hfDatasetJsonRevision, variable: "HF_DATASET_JSON_REVISION" };
}

export function seedCommand() {
  return new Command("seed")
    .description(
      "load articles: a file or folder (AG News CSV, BBC folder, JSON Lines, parquet), " +
        "a Hugging Face data set (--hub), or, with no argument, the bundled samples; idempotent",
    )
    .argument("[path]", "data file or folder")
    .addOption(
      new Option("--format <format>", "data format (guessed from the path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option(
      "--hub <dataset>",
      "download this Hugging Face data set (owner/name) at its pinned revision",
    )
    .option("--revision <rev>", "hub revision, overriding HF_DATASET_*_REVISION")
    .option("--split <split>", "hub split to load (train, test, ...)")
    .option("--limit <n>", "stop after this many records", (v) => wholeNumber(v, "--limit"))
    .option(
      "--batch-size <n>",
      "articles per transaction (1-500)",
      (v) => wholeNumber(v, "--batch-size", 1, 500),
      500,
    )
    .option("--json", "print the result as JSON")
    .action(async (path, options) => {
      const config = await startCommand();
      if (path && options.hub) throw new Error("give either a path or --hub, not both");
      const started = performance.now();
      const bar = progress("seeding");
      const onProgress = (r: SeedResult) => bar.update(r.read);
      const pin = options.hub ? pinnedRevision(config, options.hub) : null;
      const revision = options.revision ?? pin?.revision;
      if (pin && !revision) {
        throw new Error(`pin the data set's revision with ${pin.variable} or --revision`);
      }
      const result = await withDb(config, (db) =>
        withServices(db, config, async (services) => {
          const seedOptions = { batchSize: options.batchSize, onProgress, services };
          if (options.hub && revision) {
            const files = await downloadHubDataset({
              endpoint: config.hfEndpoint,
              repo: options.hub,
              revision,
              split: options.split,
              cacheDir: join(config.dataDir, "hub"),
            });
            const labelNames = /(^|\/)ag_news$/i.test(options.hub) ? AG_NEWS_LABELS : undefined;
            const total: SeedResult = { read: 0, created: 0, duplicates: 0 };
            for (const file of files) {
              const records = file.endsWith(".parquet")
                ? readParquet(file, labelNames)
                : readDataset(file);
              const r = await seedRecords(db, records, {
                ...seedOptions,
                limit: options.limit === undefined ? undefined : options.limit - total.read,
              });
              total.read += r.read;
              total.created += r.created;
              total.duplicates += r.duplicates;
            }
            return total;
          }
          if (!path) return seedSamples(db, { ...seedOptions, limit: options.limit });
          return seedRecords(db, readDataset(path, options.format), {
            ...seedOptions,
            limit: options.limit,
          });
        }).then(async (r) => {
          await rollUpPastMonths(db);
          return r;
        }), { migrate: true });
      bar.stop();
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (options.json) printJson({ ...result, seconds });
      else {
        print(
          `read ${result.read}, stored ${result.created} new, ${result.duplicates} already present (${seconds}s)`,
        );
      }
    });
}
