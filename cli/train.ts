/** `newsintel train`: train a topic model on labelled files, register it, optionally promote it. */
import { join } from "node:path";
import { Command, Option } from "@commander-js/extra-typings";
import { activateModel, TAXONOMY_NAME } from "../db/models.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { type Example, formatReport } from "../ml/mod.ts";
import type { TrainProgress, ValidationReport } from "../ml/mod.ts";
import { DEFAULT_MODEL_NAME, DEFAULT_TRAINING_DATA } from "../services/model_runtime.ts";
import {
  examplesFrom,
  mergeReviewed,
  recordTraining,
  runParameters,
  trainModelDir,
} from "../services/training.ts";
import { mlflowTracking } from "../services/mlflow/mod.ts";
import { logger } from "../lib/log.ts";
import { reviewedLabels } from "../db/review/mod.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";
import { wholeNumber } from "./options.ts";

const log = logger("train");

export function trainCommand() {
  return new Command("train")
    .description(
      "train a topic model on labelled data (AG News CSV, BBC folder, JSON Lines with text/label); " +
        "any label set; deterministic for a seed",
    )
    .argument("[paths...]", "labelled data files or folders", [DEFAULT_TRAINING_DATA])
    .addOption(
      new Option("--format <format>", "data format (guessed from each path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option(
      "--name <name>",
      "model name, and the taxonomy it serves beside the others (e.g. section)",
      DEFAULT_MODEL_NAME,
    )
    .option("--seed <n>", "random seed", (v) => wholeNumber(v, "--seed", 0), 1)
    .option(
      "--folds <k>",
      "cross-fitting folds for calibration and the report (2-10; 0: no calibration)",
      (v) => wholeNumber(v, "--folds", 0, 10),
      3,
    )
    .option("--reviewed", "merge the labels reviewers gave (the default)")
    .option(
      "--no-reviewed",
      "train on the files only, leaving out reviewed labels (which otherwise override " +
        "the files' label for the same text)",
    )
    .option("--promote", "make the new model active right away")
    .option(
      "--out <dir>",
      "write the model to DIR/VERSION without registering it: no database is opened and " +
        "reviewed labels are not merged (serve it with HF_MODEL=DIR/VERSION)",
    )
    .option("--json", "print the manifest as JSON")
    .action(async (paths, options) => {
      const config = await startCommand();
      if (!TAXONOMY_NAME.test(options.name)) {
        throw new Error(
          `--name ${JSON.stringify(options.name)}: a taxonomy name is 1-40 lower-case letters, ` +
            "digits, - or _, starting with a letter",
        );
      }
      if (options.out && (options.reviewed === true || options.promote)) {
        throw new Error("--out trains without the database: leave out --reviewed and --promote");
      }
      const read = async () => {
        const examples: Example[] = [];
        for (const path of paths) {
          examples.push(...await examplesFrom(readDataset(path, options.format)));
        }
        return examples;
      };
      let bar = progress("reading", 0);
      let stage = "";
      let logged = "";
      const trainOptions = {
        name: options.name,
        modelDir: options.out ?? config.modelDir,
        seed: options.seed,
        validationFraction: options.folds === 0 ? 0 : 1 / Math.max(2, options.folds),
        calibrationFolds: Math.max(2, options.folds),
        onProgress: (p: TrainProgress) => {
          if (p.stage !== stage) {
            bar.stop();
            stage = p.stage;
            bar = progress(p.stage.padEnd(10), p.total);
          }
          bar.update(p.done);
          if (p.done === p.total && p.stage !== logged) {
            logged = p.stage;
            log.info("training: {stage} done", { stage: p.stage });
          }
        },
      };
      let runId: number | null = null;
      const manifest = options.out
        ? await trainModelDir(await read(), trainOptions)
        : await withDb(config, async (db) => {
          const reviewed = options.reviewed !== false;
          // Reading the data is part of the run: a file that cannot be read or holds
          // no labelled rows leaves a failed run saying so.
          const parameters = runParameters(trainOptions, {
            reviewed,
            sources: paths,
            taxonomy: options.name,
          });
          const tracking = mlflowTracking(config);
          const run = await recordTraining(db, parameters, config.modelDir, async (tracker) => {
            let training = await read();
            if (reviewed) {
              const merged = mergeReviewed(training, await reviewedLabels(db, options.name));
              training = merged.examples;
              if (!options.json) {
                print(
                  `reviewed labels: ${merged.relabelled} relabelled file examples, ${merged.added} added`,
                );
              }
            }
            tracker.data(training);
            return await trainModelDir(training, trainOptions);
          }, { tracking });
          runId = run.runId;
          if (options.promote) {
            await db.transaction((tx) =>
              activateModel(tx, { version: run.manifest.version, action: "promote", actor: "cli" })
            );
          }
          return run.manifest;
        }, { migrate: true });
      bar.stop();
      if (options.json) return printJson(manifest);
      print(
        `trained ${manifest.name} ${manifest.version} on ${manifest.trainingData.size} examples` +
          (options.out
            ? ` (written to ${join(options.out, manifest.version)})`
            : options.promote
            ? " (now active)"
            : ` (promote with: newsintel models promote ${manifest.version})`),
      );
      if (runId !== null) print(`recorded as training run ${runId} (newsintel runs show ${runId})`);
      const validation = manifest.metrics as ValidationReport | null;
      if (validation) {
        print(
          `\nout-of-fold predictions (${validation.folds ?? 1} folds, ${validation.size} rows; ` +
            `ECE ${validation.eceBefore.toFixed(4)} → ${
              validation.eceAfter.toFixed(4)
            } after calibration):`,
        );
        print(formatReport(validation.report));
      }
    });
}
