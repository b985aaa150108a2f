/** `newsintel evaluate`: score a model on a labelled file. */
import { Command, Option } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import { activeModelVersion, getModel } from "../db/models.ts";
import { DATASET_FORMATS, readDataset } from "../datasets/mod.ts";
import { evaluate, formatReport, loadClassifier } from "../ml/mod.ts";
import { exampleText } from "../ml/article_text.ts";
import { examplesFrom } from "../services/training.ts";
import { localModelDir } from "../services/model_runtime.ts";
import { readBbcSummaryPairs } from "../datasets/bbc_summaries.ts";
import { evaluateSummaries } from "../ml/rouge.ts";
import { summarize } from "../ml/summarize.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";
import { fieldMap, fieldName, fieldNames, LABEL_FIELD_HELP, TEXT_FIELD_HELP } from "./options.ts";

const BATCH = 256;

export function evaluateCommand() {
  return new Command("evaluate")
    .description(
      "score a model on labelled data: accuracy, macro-F1, per-class precision/recall/F1, " +
        "confusion matrix, expected calibration error",
    )
    .argument("<path>", "labelled data file or folder (for --task summarize: the BBC folder)")
    .addOption(
      new Option("--format <format>", "data format (guessed from the path)").choices(
        DATASET_FORMATS,
      ),
    )
    .option("--text-field <names>", TEXT_FIELD_HELP, (v) => fieldNames(v, "--text-field"))
    .option("--label-field <name>", LABEL_FIELD_HELP, (v) => fieldName(v, "--label-field"))
    .option("--model <version>", "registered model version (default: the active one)")
    .option("--dir <dir>", "evaluate a model directory instead of a registered model")
    .addOption(
      new Option(
        "--task <task>",
        "what to evaluate: the topic classifier, or the summarizer on a " +
          "BBC News Summary folder (articles/ + summaries/) with ROUGE-1/2/L",
      ).choices(["classify", "summarize"] as const)
        .default("classify" as const),
    )
    .option("--json", "print the report as JSON")
    .action(async (path, options) => {
      const config = await startCommand();
      if (options.task === "summarize") return evaluateSummarizer(path, options.json === true);
      const examples = await examplesFrom(
        readDataset(path, options.format, { fields: fieldMap(options) }),
      );
      if (examples.length === 0) throw new Error(`no labelled examples in ${path}`);
      const dir = options.dir ? resolve(options.dir) : await withDb(config, async (db) => {
        const version = options.model ?? await activeModelVersion(db);
        if (!version) throw new Error("no active model; pass --model or --dir");
        const record = await getModel(db, version);
        if (!record) throw new Error(`no model ${version}`);
        const dir = await localModelDir(db, config, record);
        if (!dir) throw new Error("evaluate a hub model through its local cache with --dir");
        return dir;
      });
      const classifier = await loadClassifier({ kind: "dir", dir });
      const bar = progress("classifying", examples.length);
      const predictions = [];
      for (let i = 0; i < examples.length; i += BATCH) {
        predictions.push(
          ...await classifier.classify(
            examples.slice(i, i + BATCH).map((e) => exampleText(e, classifier.headlineRepeats)),
          ),
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

/** ROUGE F1 of the extractive summarizer beside Lead-3 and whole-article baselines. */
async function evaluateSummarizer(path: string, json: boolean): Promise<void> {
  const pairs = [];
  for await (const p of readBbcSummaryPairs(path)) pairs.push(p);
  if (pairs.length === 0) throw new Error(`no article/summary pairs under ${path}`);
  const result = evaluateSummaries(pairs, (input) => summarize(input));
  if (json) return printJson(result);
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  print(`${result.count} articles, budget = reference length in words; ROUGE F1 × 100`);
  print(`${"".padEnd(14)}${"R-1".padStart(6)}${"R-2".padStart(6)}${"R-L".padStart(6)}`);
  for (
    const [name, m] of [["newsintel", result.ours], ["lead (budget)", result.lead], [
      "Lead-3",
      result.lead3,
    ], ["whole article", result.article]] as const
  ) {
    print(`${name.padEnd(14)}${pct(m.rouge1)}${pct(m.rouge2)}${pct(m.rougeL)}`);
  }
}
