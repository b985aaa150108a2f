/**
 * What one finished training run becomes in MLflow: its run name, start and end
 * time, status, and the params, metrics and tags that describe it — the same for
 * the file store and the REST API. Keys are made valid MLflow names and values
 * are cut to MLflow's limits here, so neither store can refuse them.
 */
import type { TrainingRun } from "../../db/training_runs.ts";
import { runFolds, runValidation } from "../training_runs.ts";

/** MLflow's `RunStatus` enum, as the file store writes it in a run's meta.yaml. */
export const RUN_STATUS = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
export type MlflowStatus = keyof typeof RUN_STATUS;

export interface MlflowParam {
  key: string;
  value: string;
}

export interface MlflowMetric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface MlflowTag {
  key: string;
  value: string;
}

/** One training run, ready to log. */
export interface MlflowRecord {
  runName: string;
  /** Milliseconds since the epoch. */
  startTime: number;
  /** Milliseconds since the epoch; null for a run still running. */
  endTime: number | null;
  status: MlflowStatus;
  params: MlflowParam[];
  metrics: MlflowMetric[];
  tags: MlflowTag[];
}

/**
 * MLflow's limits on what one entry may hold: keys of 250 characters, param values
 * of 6000 (MLflow 2.x), tag values of 5000 (what every backend is documented to
 * accept).
 */
export const MLFLOW_LIMITS = { key: 250, paramValue: 6000, tagValue: 5000 } as const;

/** The user id runs are created under (MLflow's `user_id`). */
export const MLFLOW_USER = "newsintel";

/**
 * A valid MLflow key: MLflow accepts letters, digits, `_ - . /` and spaces, and
 * refuses a path that is not normalized (`..`, `//`, a leading `/`), since the
 * file store makes each key a file path. Anything else becomes `_`.
 */
export function mlflowKey(key: string): string {
  const clean = key.slice(0, MLFLOW_LIMITS.key).replace(/[^\w\-. /]/g, "_");
  return clean.split("/").map((part) => part === "" || part === "." || part === ".." ? "_" : part)
    .join("/");
}

const text = (value: unknown): string => typeof value === "string" ? value : JSON.stringify(value);

/**
 * The MLflow record of a training run: params (its parameters, each hyperparameter
 * by its own name, the data's sha256 and size), metrics (each fold's accuracy,
 * macro-F1 and ECE with step = fold number, then the out-of-fold accuracy,
 * macro-F1, ECE and NLL before and after calibration, and `f1.<label>`), and tags
 * (the run name and source, the training run's id, status, model version and
 * error).
 */
export function mlflowRecord(run: TrainingRun): MlflowRecord {
  const startTime = Date.parse(run.startedAt);
  const endTime = run.finishedAt === null ? null : Date.parse(run.finishedAt);
  const at = endTime ?? startTime;
  const name = typeof run.parameters.name === "string" ? run.parameters.name : "training";
  const runName = mlflowKey(`${name}-run-${run.id}`);

  const params = new Map<string, string>();
  const param = (key: string, value: unknown) => {
    const k = mlflowKey(key);
    // A name seen before keeps its first value: MLflow refuses a param logged twice
    // with two values.
    if (value !== undefined && value !== null && !params.has(k)) {
      params.set(k, text(value).slice(0, MLFLOW_LIMITS.paramValue));
    }
  };
  const { hyperparameters, ...rest } = run.parameters;
  for (const [k, v] of Object.entries(rest)) param(k, v);
  if (hyperparameters && typeof hyperparameters === "object") {
    for (const [k, v] of Object.entries(hyperparameters)) param(k, v);
  }
  param("data_sha256", run.data?.sha256);
  param("data_size", run.data?.size);

  const metrics: MlflowMetric[] = [];
  const metric = (key: string, value: number | null | undefined, step = 0) => {
    // JSON has no NaN or Infinity; a metric without a finite value is left out.
    if (typeof value === "number" && Number.isFinite(value)) {
      metrics.push({ key: mlflowKey(key), value, timestamp: at, step });
    }
  };
  runFolds(run).forEach((fold, i) => {
    metric("fold.accuracy", fold.accuracy, i + 1);
    metric("fold.macro_f1", fold.macroF1, i + 1);
    metric("fold.ece", fold.ece, i + 1);
  });
  const v = runValidation(run);
  if (v) {
    metric("accuracy", v.report.accuracy);
    metric("macro_f1", v.report.macroF1);
    metric("ece_before", v.eceBefore);
    metric("ece_after", v.eceAfter);
    metric("nll_before", v.nllBefore);
    metric("nll_after", v.nllAfter);
    metric("oof_rows", v.size);
    for (const label of v.report.labels) metric(`f1.${label}`, v.report.perClass[label]?.f1);
  }
  metric("duration_ms", run.durationMs);

  const tags: MlflowTag[] = [
    { key: "mlflow.runName", value: runName },
    { key: "mlflow.user", value: MLFLOW_USER },
    { key: "mlflow.source.name", value: "newsintel train" },
    { key: "mlflow.source.type", value: "LOCAL" },
    { key: "newsintel.training_run_id", value: String(run.id) },
    { key: "newsintel.status", value: run.status },
  ];
  if (run.modelVersion) tags.push({ key: "newsintel.model_version", value: run.modelVersion });
  if (run.error) tags.push({ key: "newsintel.error", value: run.error });
  for (const t of tags) t.value = t.value.slice(0, MLFLOW_LIMITS.tagValue);

  return {
    runName,
    startTime,
    endTime,
    status: run.status === "succeeded"
      ? "FINISHED"
      : run.status === "failed"
      ? "FAILED"
      : "RUNNING",
    params: [...params].map(([key, value]) => ({ key, value })),
    metrics,
    tags,
  };
}
