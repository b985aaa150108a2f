/** `newsintel label-issues`: rank the rows of a labelled file whose label is probably wrong. */
import { Command, Option } from "@commander-js/extra-typings";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import type { TrainProgress } from "../ml/mod.ts";
import { DEFAULT_ISSUE_REPEATS, findLabelIssues } from "../services/label_issues.ts";
import { VECTOR_SOURCES, vectorProvider, type VectorSource } from "../ml/word_vectors.ts";
import { print, printJson, startCommand } from "./context.ts";
import { progress } from "./progress.ts";
import {
  fieldMap,
  fieldName,
  fieldNames,
  LABEL_FIELD_HELP,
  TEXT_FIELD_HELP,
  wholeNumber,
} from "./options.ts";

export function labelIssuesCommand() {
  return new Command("label-issues")
    .description(
      "rank the rows of labelled data whose given label is probably wrong (confident " +
        "learning on out-of-fold probabilities from the trainer's cross-fitting), most likely first",
    )
    .argument(
      "<path>",
      "labelled data file or folder (AG News CSV, headed CSV, BBC folder, JSON Lines)",
    )
    .addOption(
      new Option("--format <format>", "data format (guessed from the path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option("--text-field <names>", TEXT_FIELD_HELP, (v) => fieldNames(v, "--text-field"))
    .option("--label-field <name>", LABEL_FIELD_HELP, (v) => fieldName(v, "--label-field"))
    .option(
      "--label-column <name>",
      "AG News CSV column holding the given label (the sample's `label` is the annotators' one)",
      "label",
    )
    .option("--limit <n>", "report at most N rows", (v) => wholeNumber(v, "--limit", 1), 20)
    .option("--all", "rank every labelled row, not only the flagged ones")
    .option(
      "--folds <k>",
      "cross-fitting folds (2-10)",
      (v) => wholeNumber(v, "--folds", 2, 10),
      5,
    )
    .option(
      "--repeats <n>",
      "cross-fittings: the first on the given labels, each later one on the labels the one before corrects (1-5)",
      (v) => wholeNumber(v, "--repeats", 1, 5),
      DEFAULT_ISSUE_REPEATS,
    )
    .option("--seed <n>", "random seed", (v) => wholeNumber(v, "--seed", 0), 1)
    .addOption(
      new Option(
        "--vectors <source>",
        "pretrained word vectors in the cross-fitted models, as `train --vectors`",
      ).choices(VECTOR_SOURCES).default("glove" as VectorSource),
    )
    .option("--json", 'print {"issues": [{index, given, suggested, score}, ...]}')
    .action(async (path, options) => {
      const config = await startCommand();
      let bar = progress("reading", 0);
      let stage = "";
      const found = await findLabelIssues(
        readDataset(path, options.format, {
          labelColumn: options.labelColumn,
          fields: fieldMap(options),
        }),
        {
          folds: options.folds,
          repeats: options.repeats,
          seed: options.seed,
          all: options.all === true,
          ...(options.vectors === "glove"
            ? { vectors: vectorProvider(config.wordVectorsFile) }
            : {}),
          onProgress: (p: TrainProgress) => {
            if (p.stage !== stage) {
              bar.stop();
              stage = p.stage;
              bar = progress(p.stage.padEnd(10), p.total);
            }
            bar.update(p.done);
          },
        },
      );
      bar.stop();
      const issues = found.issues.slice(0, options.limit);
      if (options.json) return printJson({ issues });
      print(
        `${found.issues.length} of ${found.labelled} labelled rows ${
          options.all ? "ranked" : "look mislabelled"
        }` + (found.issues.length > issues.length ? ` (top ${issues.length} shown)` : ""),
      );
      if (issues.length === 0) return;
      const width = Math.max(5, ...found.labels.map((l) => l.length));
      print(
        `${"row".padStart(7)}  ${"given".padEnd(width)}  ${"suggested".padEnd(width)}  score`,
      );
      for (const i of issues) {
        print(
          `${String(i.index).padStart(7)}  ${i.given.padEnd(width)}  ${
            i.suggested.padEnd(width)
          }  ${i.score.toFixed(3)}`,
        );
      }
      print("\nrow: 0-based data row of the file; score: how likely the given label is right");
    });
}
