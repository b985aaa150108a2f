/**
 * Reading training runs: a one-line summary of a run, and two runs compared
 * side by side — their metrics, per-class F1 and confusion matrices, each with
 * the difference (second minus first), and the parameters that differ.
 */
import type { TrainingRun } from "../db/training_runs.ts";
import type { EvaluationReport, ValidationReport } from "../ml/mod.ts";

/** The out-of-fold metrics of a run, or null (a failed run, or trained without folds). */
export function runValidation(run: TrainingRun): ValidationReport | null {
  const v = run.metrics as ValidationReport | null;
  return v?.report ? v : null;
}

/** Each fold's report, or an empty list. */
export function runFolds(run: TrainingRun): EvaluationReport[] {
  return (run.foldMetrics ?? []) as unknown as EvaluationReport[];
}

/** What `runs list` shows of a run. */
export interface RunSummary {
  id: number;
  status: TrainingRun["status"];
  startedAt: string;
  durationMs: number | null;
  name: string | null;
  dataSize: number | null;
  accuracy: number | null;
  macroF1: number | null;
  modelVersion: string | null;
  error: string | null;
}

export function summarizeRun(run: TrainingRun): RunSummary {
  const report = runValidation(run)?.report;
  const name = run.parameters.name;
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    name: typeof name === "string" ? name : null,
    dataSize: run.data?.size ?? null,
    accuracy: report?.accuracy ?? null,
    macroF1: report?.macroF1 ?? null,
    modelVersion: run.modelVersion,
    error: run.error,
  };
}

/** One value of both runs and their difference (null where either is missing). */
export interface Compared<T = number | null> {
  a: T;
  b: T;
  diff: number | null;
}

export interface RunComparison {
  a: RunSummary;
  b: RunSummary;
  /** accuracy, macroF1, eceBefore, eceAfter, nllBefore, nllAfter, rows, folds, durationMs. */
  metrics: Array<{ metric: string } & Compared>;
  /** F1 per label, over the labels of either run. */
  perClassF1: Array<{ label: string } & Compared>;
  /**
   * Confusion matrices (`[gold][predicted]`) over `labels`, the labels of both runs
   * (a label one run lacks counts 0 there); null for a run without metrics.
   */
  confusion: {
    labels: string[];
    a: number[][] | null;
    b: number[][] | null;
    diff: number[][] | null;
  };
  /** The parameters whose values differ (hyperparameters by their own name). */
  parameters: Array<{ name: string; a: unknown; b: unknown }>;
}

const compared = (a: number | null | undefined, b: number | null | undefined): Compared => ({
  a: a ?? null,
  b: b ?? null,
  diff: a === null || a === undefined || b === null || b === undefined ? null : b - a,
});

/** A run's confusion matrix re-indexed onto `labels`. */
function confusionOn(report: EvaluationReport | undefined, labels: string[]): number[][] | null {
  if (!report) return null;
  const at = new Map(report.labels.map((l, i) => [l, i]));
  return labels.map((g) =>
    labels.map((p) => {
      const gi = at.get(g);
      const pi = at.get(p);
      return gi === undefined || pi === undefined ? 0 : report.confusion[gi][pi];
    })
  );
}

/** Parameters flattened one level: `hyperparameters.x` becomes `x`. */
function flatParameters(run: TrainingRun): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(run.parameters)) {
    if (key === "hyperparameters" && value && typeof value === "object") {
      for (const [h, v] of Object.entries(value)) flat.set(h, v);
    } else flat.set(key, value);
  }
  return flat;
}

/** Compares run `b` with run `a`: every difference is b − a. */
export function compareRuns(a: TrainingRun, b: TrainingRun): RunComparison {
  const va = runValidation(a);
  const vb = runValidation(b);
  const ra = va?.report;
  const rb = vb?.report;
  const metrics = [
    { metric: "accuracy", ...compared(ra?.accuracy, rb?.accuracy) },
    { metric: "macroF1", ...compared(ra?.macroF1, rb?.macroF1) },
    { metric: "eceBefore", ...compared(va?.eceBefore, vb?.eceBefore) },
    { metric: "eceAfter", ...compared(va?.eceAfter, vb?.eceAfter) },
    { metric: "nllBefore", ...compared(va?.nllBefore, vb?.nllBefore) },
    { metric: "nllAfter", ...compared(va?.nllAfter, vb?.nllAfter) },
    { metric: "rows", ...compared(a.data?.size, b.data?.size) },
    { metric: "folds", ...compared(va?.folds, vb?.folds) },
    { metric: "durationMs", ...compared(a.durationMs, b.durationMs) },
  ];
  const labels = [...new Set([...ra?.labels ?? [], ...rb?.labels ?? []])];
  const perClassF1 = labels.map((label) => ({
    label,
    ...compared(ra?.perClass[label]?.f1, rb?.perClass[label]?.f1),
  }));
  const ca = confusionOn(ra, labels);
  const cb = confusionOn(rb, labels);
  const diff = ca && cb ? cb.map((row, g) => row.map((v, p) => v - ca[g][p])) : null;
  const pa = flatParameters(a);
  const pb = flatParameters(b);
  const parameters = [...new Set([...pa.keys(), ...pb.keys()])]
    .filter((k) => JSON.stringify(pa.get(k)) !== JSON.stringify(pb.get(k)))
    .map((name) => ({ name, a: pa.get(name) ?? null, b: pb.get(name) ?? null }));
  return {
    a: summarizeRun(a),
    b: summarizeRun(b),
    metrics,
    perClassF1,
    confusion: { labels, a: ca, b: cb, diff },
    parameters,
  };
}
