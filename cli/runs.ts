/** `newsintel runs`: the recorded training runs — list them, show one, compare two. */
import { Command } from "@commander-js/extra-typings";
import type { Db } from "../db/mod.ts";
import { getRun, listRuns, type TrainingRun } from "../db/training_runs.ts";
import { formatReport } from "../ml/mod.ts";
import { compareRuns, runFolds, runValidation, summarizeRun } from "../services/training_runs.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { wholeNumber } from "./options.ts";

const runId = (v: string) => wholeNumber(v, "ID");
const pct = (x: number | null) => x === null ? "-" : `${(100 * x).toFixed(2)}%`;
const seconds = (ms: number | null) => ms === null ? "-" : `${(ms / 1000).toFixed(1)}s`;

async function mustGet(db: Db, id: number): Promise<TrainingRun> {
  const run = await getRun(db, id);
  if (!run) throw new Error(`no training run ${id} (see: newsintel runs list)`);
  return run;
}

/** A signed difference: `+0.0123`, `-2`; `-` when unknown. */
function signed(x: number | null, digits: number): string {
  if (x === null) return "-";
  const s = x.toFixed(digits);
  return x > 0 ? `+${s}` : s;
}

/**
 * Columns under a header, aligned by `align` (one `l` or `r` per column; by default
 * the first column left, the others — numbers — right).
 */
function table(header: string[], rows: string[][], align = "l" + "r".repeat(99)): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) =>
    r.map((cell, i) => align[i] === "l" ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
      .join("  ").trimEnd()
  ).join("\n");
}

function showRun(run: TrainingRun): void {
  const s = summarizeRun(run);
  print(`training run ${run.id}: ${run.status}`);
  print(`  started   ${run.startedAt}`);
  print(`  finished  ${run.finishedAt ?? "-"} (${seconds(run.durationMs)})`);
  print(`  model     ${run.modelVersion ?? "-"}`);
  if (run.error) print(`  error     ${run.error}`);
  print(`  data      ${run.data ? `${run.data.size} examples, sha256 ${run.data.sha256}` : "-"}`);
  if (run.mlflowRunId || run.mlflowError) {
    print(
      `  mlflow    ${run.mlflowRunId ?? "-"}${
        run.mlflowError ? ` (logging failed: ${run.mlflowError})` : ""
      }`,
    );
  }
  const { hyperparameters, ...rest } = run.parameters;
  print("\nparameters:");
  for (const [k, v] of Object.entries(rest)) print(`  ${k} ${JSON.stringify(v)}`);
  if (hyperparameters && typeof hyperparameters === "object") {
    print(
      "  hyperparameters " +
        Object.entries(hyperparameters).sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" "),
    );
  }
  const folds = runFolds(run);
  if (folds.length) {
    print("\nper fold (calibrated, each fold's held-out rows):");
    print(table(
      ["fold", "rows", "accuracy", "macro-F1", "ECE"],
      folds.map((f, i) => [
        String(i + 1),
        String(f.size),
        pct(f.accuracy),
        pct(f.macroF1),
        f.ece.toFixed(4),
      ]),
    ));
  }
  const v = runValidation(run);
  if (v) {
    print(
      `\nout of fold (${v.folds ?? 1} folds, ${v.size} rows; ECE ${v.eceBefore.toFixed(4)} → ` +
        `${v.eceAfter.toFixed(4)}, NLL ${v.nllBefore.toFixed(4)} → ${
          v.nllAfter.toFixed(4)
        } after calibration):`,
    );
    print(formatReport(v.report));
  } else if (s.status === "succeeded") {
    print("\nno out-of-fold metrics (trained with --folds 0)");
  }
}

export function runsCommand() {
  const runs = new Command("runs").description(
    "recorded training runs: list, show one, compare two",
  );
  runs.command("list")
    .description("training runs, newest first (a failed run shows its error)")
    .option("--json", "print as JSON")
    .option("--limit <n>", "at most N runs (1-1000)", (v) => wholeNumber(v, "--limit", 1, 1000), 20)
    .action(async (options) => {
      const config = await startCommand();
      const list = await withDb(config, (db) => listRuns(db, { limit: options.limit }), {
        migrate: true,
      });
      const summaries = list.map(summarizeRun);
      if (options.json) return printJson(summaries);
      if (summaries.length === 0) {
        return print("no training runs yet (train with: newsintel train)");
      }
      print(
        table(
          ["id", "status", "started", "name", "duration", "rows", "accuracy", "macro-F1", "model"],
          summaries.map((r) => [
            String(r.id),
            r.status,
            r.startedAt.replace(/\.\d+Z$/, "Z"),
            r.name ?? "-",
            seconds(r.durationMs),
            r.dataSize === null ? "-" : String(r.dataSize),
            pct(r.accuracy),
            pct(r.macroF1),
            r.modelVersion ?? (r.error ? `error: ${r.error.split("\n")[0].slice(0, 80)}` : "-"),
          ]),
          "llllrrrrl",
        ),
      );
    });
  runs.command("show")
    .description("one run: parameters, data, metrics per fold and out of fold, confusion matrix")
    .argument("<id>", "run id (see: newsintel runs list)", runId)
    .option("--json", "print as JSON")
    .action(async (id, options) => {
      const config = await startCommand();
      const run = await withDb(config, (db) => mustGet(db, id), { migrate: true });
      if (options.json) return printJson(run);
      showRun(run);
    });
  runs.command("compare")
    .description("two runs side by side: metrics, per-class F1 and confusion, with B − A")
    .argument("<a>", "run id", runId)
    .argument("<b>", "run id", runId)
    .option("--json", "print as JSON")
    .action(async (a, b, options) => {
      const config = await startCommand();
      const [ra, rb] = await withDb(
        config,
        async (db) => [await mustGet(db, a), await mustGet(db, b)],
        { migrate: true },
      );
      const c = compareRuns(ra, rb);
      if (options.json) return printJson(c);
      const A = `#${a}`;
      const B = `#${b}`;
      print(`training run ${A} (${c.a.status}) against ${B} (${c.b.status}); Δ = ${B} − ${A}\n`);
      const fmt = (metric: string, x: number | null) =>
        x === null
          ? "-"
          : metric === "accuracy" || metric === "macroF1"
          ? pct(x)
          : Number.isInteger(x)
          ? String(x)
          : x.toFixed(4);
      print(table(
        ["metric", A, B, "Δ"],
        c.metrics.map((m) => [
          m.metric,
          fmt(m.metric, m.a),
          fmt(m.metric, m.b),
          m.metric === "accuracy" || m.metric === "macroF1"
            ? m.diff === null ? "-" : `${signed(100 * m.diff, 2)} pt`
            : signed(m.diff, Number.isInteger(m.diff ?? 0) ? 0 : 4),
        ]),
      ));
      if (c.perClassF1.length) {
        print("\nper-class F1:");
        print(table(
          ["label", A, B, "Δ"],
          c.perClassF1.map((r) => [
            r.label,
            pct(r.a),
            pct(r.b),
            r.diff === null ? "-" : `${signed(100 * r.diff, 2)} pt`,
          ]),
        ));
      }
      if (c.confusion.diff) {
        print(`\nconfusion difference (${B} − ${A}; rows gold, columns predicted):`);
        print(table(
          ["gold \\ predicted", ...c.confusion.labels],
          c.confusion.diff.map((row, g) => [
            c.confusion.labels[g],
            ...row.map((v) => signed(v, 0)),
          ]),
        ));
      } else {
        print("\nno confusion difference: a run without out-of-fold metrics");
      }
      if (c.parameters.length) {
        print("\nparameters that differ:");
        for (const p of c.parameters) {
          print(`  ${p.name}: ${JSON.stringify(p.a)} → ${JSON.stringify(p.b)}`);
        }
      }
    });
  return runs;
}
