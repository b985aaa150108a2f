/** `newsintel evaluate`: score a model on a labelled file. */
import { Command, Option } from "@commander-js/extra-typings";
import { join, resolve } from "node:path";
import { activeModelVersion, getModel } from "../db/models.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { evaluate, formatReport, loadClassifier } from "../ml/mod.ts";
import { examplesFrom } from "../lib/training.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";

const BATCH = 256;

export function evaluateCommand() {
  return new Command("evaluate")
    .description(
      "score a model on labelled data: accuracy, macro-F1, per-class precision/recall/F1, " +
        "confusion matrix, expected calibration error",
    )
    .argument("<path>", "labelled data file or folder")
    .addOption(
      new Option("--format <format>", "data format (guessed from the path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option("--model <version>", "registered model version (default: the active one)")
    .option("--dir <dir>", "evaluate a model directory instead of a registered model")
    .option("--json", "print the report as JSON")
    .action(async (path, options) => {
      const config = await startCommand();
      const examples = await examplesFrom(readDataset(path, options.format));
      if (examples.length === 0) throw new Error(`no labelled examples in ${path}`);
      const dir = options.dir ? resolve(options.dir) : await withDb(config, async (db) => {
        const version = options.model ?? await activeModelVersion(db);
        if (!version) throw new Error("no active model; pass --model or --dir");
        const record = await getModel(db, version);
        if (!record) throw new Error(`no model ${version}`);
        if (record.origin === "hub") {
          throw new Error("evaluate a hub model through its local cache with --dir");
        }
        return record.origin === "local"
          ? record.location
          : resolve(join(config.modelDir, record.location));
      });
      const classifier = await loadClassifier({ kind: "dir", dir });
      const bar = progress("classifying", examples.length);
      const predictions = [];
      for (let i = 0; i < examples.length; i += BATCH) {
        predictions.push(
          ...await classifier.classify(examples.slice(i, i + BATCH).map((e) => e.text)),
        );
        bar.update(predictions.length);
      }
      bar.stop();
      await classifier.dispose();
      const labels = [...new Set([...classifier.labels, ...examples.map((e) => e.label)])];
      const unknown = labels.filter((l) => !classifier.labels.includes(l));
      const report = evaluate(examples.map((e) => e.label), predictions, labels);
      if (options.json) {
        return printJson({
          model: { name: classifier.name, version: classifier.version },
          ...report,
        });
      }
      print(`${classifier.name} ${classifier.version} on ${path}`);
      if (unknown.length) {
        print(`note: the data has labels the model does not know: ${unknown.join(", ")}`);
      }
      print(formatReport(report));
    });
}
