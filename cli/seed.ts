/** `newsintel seed`: load articles from a file, a folder, the hub, or the bundled samples. */
import { Command, Option } from "@commander-js/extra-typings";
import { wholeNumber } from "./options.ts";
import { rollUpPastMonths } from "../services/trends.ts";
import { basename, join } from "node:path";
import { AG_NEWS_LABELS, DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { downloadHubDataset } from "../datasets/hub.ts";
import { readParquet } from "../datasets/parquet.ts";
import type { Config } from "../lib/config.ts";
import { seedRecords, type SeedResult, seedSamples } from "../services/seed.ts";
import { queueLabelIssues } from "../services/label_issues.ts";
import { vectorProvider } from "../ml/word_vectors.ts";
import type { Db } from "../db/mod.ts";
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

/** Suspected label errors queued by default with `--label-issues`. */
const DEFAULT_MAX_ISSUES = 200;

/** What `--label-issues` did, as printed. */
interface LabelIssuesSummary {
  ranked: number;
  flagged: number;
  queued: number;
  /** Open items (queued for another reason) the suggestion was added to. */
  attached: number;
  alreadyQueued: number;
  outsideModel: number;
  modelVersion: string;
  /** Whether the cross-fitted models had pretrained word vectors. */
  vectors: boolean;
}

/** Ranks the seeded rows' labels and queues the suspected errors; throws what stops it. */
async function queueSeededIssues(
  db: Db,
  config: Config,
  labelled: number[],
  maxIssues: number,
): Promise<LabelIssuesSummary> {
  const ids = [...new Set(labelled)];
  const bar = progress("ranking labels", 0);
  let stage = "";
  let shown = bar;
  const r = await queueLabelIssues(db, {
    articleIds: ids,
    maxIssues,
    actor: "seed",
    requiredLabels: config.reviewOverlap,
    vectors: vectorProvider(config.wordVectorsFile),
    onProgress: (p) => {
      if (p.stage !== stage) {
        shown.stop();
        stage = p.stage;
        shown = progress(p.stage.padEnd(10), p.total);
      }
      shown.update(p.done);
    },
  });
  shown.stop();
  if (r.kind === "noActiveModel") {
    throw new Error(
      "--label-issues needs an active model (reviewers choose from its labels): the rows " +
        "are seeded; train and promote one (newsintel train --promote), then run seed again",
    );
  }
  if (r.kind === "tooFewLabelled") {
    throw new Error(
      `--label-issues: ${r.labelled} seeded rows carry a label; cross-fitting needs ${r.needed}`,
    );
  }
  return {
    ranked: r.ranked,
    flagged: r.flagged,
    queued: r.queued.length,
    attached: r.attached.length,
    alreadyQueued: r.alreadyQueued,
    outsideModel: r.outsideModel,
    modelVersion: r.modelVersion,
    vectors: r.vectors,
  };
}

function describeIssues(i: LabelIssuesSummary): string {
  return `label issues: ${i.flagged} of ${i.ranked} labelled rows look mislabelled ` +
    `(${i.vectors ? "with" : "without"} word vectors); queued ` +
    `${i.queued} for review, added ${i.attached} to open items (${i.alreadyQueued} queued before` +
    (i.outsideModel ? `, ${i.outsideModel} with labels outside model ${i.modelVersion}` : "") +
    ")";
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
    .option(
      "--label-column <name>",
      "AG News CSV column holding the labels to keep (default gt, the original class; the " +
        "sample's `label` is the annotators' one)",
    )
    .option(
      "--label-issues",
      "after seeding, rank the seeded rows' labels (confident learning on cross-fitted " +
        "probabilities) and queue the suspected errors for review; needs an active model",
    )
    .option(
      "--max-issues <n>",
      "with --label-issues: queue at most N, most likely wrong first (1-10000)",
      (v) => wholeNumber(v, "--max-issues", 1, 10_000),
      DEFAULT_MAX_ISSUES,
    )
    .option("--json", "print the result as JSON")
    .action(async (path, options) => {
      const config = await startCommand();
      if (path && options.hub) throw new Error("give either a path or --hub, not both");
      if (options.maxIssues !== DEFAULT_MAX_ISSUES && !options.labelIssues) {
        throw new Error("--max-issues goes with --label-issues");
      }
      const started = performance.now();
      const bar = progress("seeding");
      const onProgress = (r: SeedResult) => bar.update(r.read);
      const pin = options.hub ? pinnedRevision(config, options.hub) : null;
      const revision = options.revision ?? pin?.revision;
      if (pin && !revision) {
        throw new Error(`pin the data set's revision with ${pin.variable} or --revision`);
      }
      const labelled: number[] = [];
      let issues: LabelIssuesSummary | null = null;
      const result = await withDb(config, (db) =>
        withServices(db, config, async (services) => {
          const seedOptions = {
            batchSize: options.batchSize,
            onProgress,
            services,
            labelSource: options.hub ?? (path ? basename(path) : undefined),
            onLabelled: (ids: number[]) => labelled.push(...ids),
          };
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
                : readDataset(file, undefined, { labelColumn: options.labelColumn });
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
          return seedRecords(
            db,
            readDataset(path, options.format, { labelColumn: options.labelColumn }),
            {
              ...seedOptions,
              limit: options.limit,
            },
          );
        }).then(async (r) => {
          await rollUpPastMonths(db);
          bar.stop();
          if (options.labelIssues) {
            issues = await queueSeededIssues(db, config, labelled, options.maxIssues);
          }
          return r;
        }), { migrate: true });
      bar.stop();
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (options.json) {
        printJson({ ...result, ...(issues ? { labelIssues: issues } : {}), seconds });
      } else {
        print(
          `read ${result.read}, stored ${result.created} new, ${result.duplicates} already present (${seconds}s)`,
        );
        if (issues) print(describeIssues(issues));
      }
    });
}
