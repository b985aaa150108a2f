/**
 * `newsintel retrain`: what `POST /v1/models/retrain` starts, run to its end from the
 * command line — train a candidate on the base data and reviewed labels, score it and the
 * active model on the evaluation set, promote it or make it the shadow model.
 */
import { Command, Option } from "@commander-js/extra-typings";
import type { Retrain } from "../db/retrains.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import type { Example } from "../ml/mod.ts";
import { createRetrainer } from "../services/retrain.ts";
import { examplesFrom } from "../services/training.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";

const f1 = (v: number | null) => (v === null ? "—" : v.toFixed(4));

/** What a finished retrain says, one line per fact. */
function describe(r: Retrain): string[] {
  const lines = [
    `retrain ${r.id}: ${r.status}${r.candidateVersion ? ` ${r.candidateVersion}` : ""}`,
  ];
  if (r.trainSize !== null) {
    lines.push(`trained on ${r.trainSize} examples; evaluated on ${r.evalSize ?? 0}`);
  }
  if (r.evalSize !== null) {
    lines.push(
      `evaluation set: ${r.fixedEvalSize ?? 0} from the fixed evaluation file, ` +
        `${r.agreedEvalSize ?? 0} reviewed labels two reviewers agreed on`,
    );
  }
  if (r.candidateScore !== null) {
    lines.push(
      `macro-F1 on the evaluation set: candidate ${f1(r.candidateScore)}, ` +
        `active ${r.activeVersion ?? "none"} ${f1(r.activeScore)}`,
      `macro-F1 on the fixed evaluation file: candidate ${f1(r.fixedCandidateScore)}, ` +
        `active ${f1(r.fixedActiveScore)}`,
    );
  }
  if (r.reason) {
    lines.push(r.status === "shadowed" ? `now the shadow model: ${r.reason}` : r.reason);
  }
  if (r.trainingRunId !== null) lines.push(`training run ${r.trainingRunId}`);
  if (r.error) lines.push(`error: ${r.error}`);
  return lines;
}

export function retrainCommand() {
  return new Command("retrain")
    .description(
      "train a candidate on the base data merged with reviewed labels (minus the evaluation " +
        "set: the fixed evaluation file and reviewed labels two reviewers agreed on), then " +
        "promote it if it beats the active model by RETRAIN_MARGIN and is not worse on the " +
        "fixed file by more than RETRAIN_FIXED_TOLERANCE, else make it the shadow model; " +
        "exits 1 when it fails or another retrain is running",
    )
    .argument("[paths...]", "base data files or folders (default: the bundled AG News sample)")
    .addOption(
      new Option("--format <format>", "data format (guessed from each path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option("--json", "print the retrain's record as JSON")
    .action(async (paths, options) => {
      const config = await startCommand();
      const baseExamples = paths.length
        ? async () => {
          const examples: Example[] = [];
          for (const path of paths) {
            examples.push(...await examplesFrom(readDataset(path, options.format)));
          }
          return examples;
        }
        : undefined;
      const outcome = await withDb(
        config,
        (db) => createRetrainer({ db, config, baseExamples }).run("cli", "cli"),
        { migrate: true },
      );
      if (outcome.kind === "conflict") {
        throw new Error(
          `retrain ${outcome.running.id} is running (started ${outcome.running.startedAt}); ` +
            "one retrain runs at a time",
        );
      }
      const r = outcome.retrain;
      if (options.json) printJson(r);
      else for (const line of describe(r)) print(line);
      if (r.status === "failed") Deno.exit(1);
    });
}
