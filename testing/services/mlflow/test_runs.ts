/** Training runs for the MLflow tests: a succeeded one with folds, and a failed one. */
import type { TrainingRun } from "../../../db/training_runs.ts";

const report = (accuracy: number) => ({
  labels: ["sport", "Sci/Tech"],
  size: 10,
  accuracy,
  macroF1: accuracy - 0.05,
  perClass: {
    sport: { precision: 1, recall: 0.8, f1: 0.9, support: 5 },
    "Sci/Tech": { precision: 0.8, recall: 1, f1: 0.8, support: 5 },
  },
  confusion: [[4, 1], [0, 5]],
  ece: 0.05,
});

/** A succeeded run: 3 folds, out-of-fold metrics, a model version. */
export function succeededRun(id = 7): TrainingRun {
  return {
    id,
    startedAt: "2026-12-01T08:00:00.000Z",
    finishedAt: "2026-12-01T08:00:12.500Z",
    status: "succeeded",
    parameters: {
      name: "agnews-topics",
      seed: 1,
      folds: 3,
      reviewed: true,
      sources: ["data/agnews/train_10k.csv"],
      hyperparameters: { epochs: 8, learningRate: 0.5, refit: true },
    },
    data: { sha256: "ab".repeat(32), size: 300 },
    foldMetrics: [report(0.8), report(0.9), report(1)],
    metrics: {
      size: 300,
      report: report(0.9),
      eceBefore: 0.12,
      eceAfter: 0.04,
      nllBefore: 0.5,
      nllAfter: 0.4,
      folds: 3,
    },
    durationMs: 12_500,
    error: null,
    modelVersion: "20261201T080000Z-ababab-0001",
    mlflowRunId: null,
    mlflowError: null,
  };
}

/** A failed run: no metrics, no model, an error. */
export function failedRun(id = 8): TrainingRun {
  return {
    ...succeededRun(id),
    status: "failed",
    foldMetrics: null,
    metrics: null,
    modelVersion: null,
    error: "training needs at least two distinct labels",
  };
}
