/** `newsintel train`: train a topic model on labelled files, register it, optionally promote it. */
import { Command, Option } from "@commander-js/extra-typings";
import { activateModel } from "../db/models.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { type Example, formatReport } from "../ml/mod.ts";
import type { ValidationReport } from "../ml/mod.ts";
import { DEFAULT_MODEL_NAME, DEFAULT_TRAINING_DATA } from "../lib/model_runtime.ts";
import { examplesFrom, trainAndRegister } from "../lib/training.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";
import { fraction, wholeNumber } from "./options.ts";

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
    .option("--name <name>", "model name", DEFAULT_MODEL_NAME)
    .option("--seed <n>", "random seed", (v) => wholeNumber(v, "--seed", 0), 1)
    .option(
      "--validation <fraction>",
      "share held out for calibration and the report",
      (v) => fraction(v, "--validation"),
      0.1,
    )
    .option("--promote", "make the new model active right away")
    .option("--json", "print the manifest as JSON")
    .action(async (paths, options) => {
      const config = await startCommand();
      const examples: Example[] = [];
      for (const path of paths) {
        examples.push(...await examplesFrom(readDataset(path, options.format)));
      }
      if (examples.length === 0) throw new Error("no labelled examples in the given data");
      let bar = progress("reading", 0);
      let stage = "";
      const manifest = await withDb(config, async (db) => {
        const m = await trainAndRegister(db, examples, {
          name: options.name,
          modelDir: config.modelDir,
          seed: options.seed,
          validationFraction: options.validation,
          onProgress: (p) => {
            if (p.stage !== stage) {
              bar.stop();
              stage = p.stage;
              bar = progress(p.stage.padEnd(10), p.total);
            }
            bar.update(p.done);
          },
        });
        if (options.promote) {
          await db.transaction((tx) => activateModel(tx, m.version, "promote", "cli"));
        }
        return m;
      }, { migrate: true });
      bar.stop();
      if (options.json) return printJson(manifest);
      print(
        `trained ${manifest.name} ${manifest.version} on ${manifest.trainingData.size} examples` +
          (options.promote
            ? " (now active)"
            : ` (promote with: newsintel models promote ${manifest.version})`),
      );
      const validation = manifest.metrics as ValidationReport | null;
      if (validation) {
        print(
          `\nvalidation split (${validation.size} rows; ECE ${validation.eceBefore.toFixed(4)} → ${
            validation.eceAfter.toFixed(4)
          } after calibration):`,
        );
        print(formatReport(validation.report));
      }
    });
}
