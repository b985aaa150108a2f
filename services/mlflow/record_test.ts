import assert from "node:assert/strict";
import { MLFLOW_LIMITS, mlflowKey, mlflowRecord } from "./record.ts";
import { failedRun, succeededRun } from "../../testing/services/mlflow/test_runs.ts";

Deno.test("mlflowRecord() logs parameters, data, per-fold and out-of-fold metrics and tags", () => {
  const r = mlflowRecord(succeededRun());
  assert.equal(r.runName, "agnews-topics-run-7");
  assert.equal(r.status, "FINISHED");
  assert.equal(r.startTime, Date.parse("2026-12-01T08:00:00.000Z"));
  assert.equal(r.endTime, Date.parse("2026-12-01T08:00:12.500Z"));
  const params = Object.fromEntries(r.params.map((p) => [p.key, p.value]));
  assert.deepEqual(params, {
    name: "agnews-topics",
    seed: "1",
    folds: "3",
    reviewed: "true",
    sources: '["data/agnews/train_10k.csv"]',
    epochs: "8",
    learningRate: "0.5",
    refit: "true",
    data_sha256: "ab".repeat(32),
    data_size: "300",
  });
  const folds = r.metrics.filter((m) => m.key === "fold.accuracy");
  assert.deepEqual(folds.map((m) => [m.step, m.value]), [[1, 0.8], [2, 0.9], [3, 1]]);
  const final = Object.fromEntries(
    r.metrics.filter((m) => m.step === 0).map((m) => [m.key, m.value]),
  );
  assert.equal(final.accuracy, 0.9);
  assert.equal(final.macro_f1, 0.9 - 0.05);
  assert.equal(final.ece_after, 0.04);
  assert.equal(final["f1.sport"], 0.9);
  assert.equal(final["f1.Sci/Tech"], 0.8, "a '/' in a label stays: MLflow allows it");
  assert.equal(final.duration_ms, 12_500);
  assert.ok(r.metrics.every((m) => m.timestamp === r.endTime));
  const tags = Object.fromEntries(r.tags.map((t) => [t.key, t.value]));
  assert.equal(tags["mlflow.runName"], r.runName);
  assert.equal(tags["newsintel.status"], "succeeded");
  assert.equal(tags["newsintel.model_version"], "20261201T080000Z-ababab-0001");
  assert.equal(tags["newsintel.training_run_id"], "7");
  assert.equal(tags["newsintel.error"], undefined);
});

Deno.test("mlflowRecord() logs a failed run FAILED with its error and no metrics", () => {
  const r = mlflowRecord({ ...failedRun(), error: "x".repeat(9000) });
  assert.equal(r.status, "FAILED");
  assert.deepEqual(r.metrics.map((m) => m.key), ["duration_ms"]);
  const tags = Object.fromEntries(r.tags.map((t) => [t.key, t.value]));
  assert.equal(tags["newsintel.status"], "failed");
  assert.equal(tags["newsintel.error"].length, MLFLOW_LIMITS.tagValue);
  assert.equal(tags["newsintel.model_version"], undefined);
});

Deno.test("mlflowRecord() leaves out non-finite metrics and keeps a param's first value", () => {
  const run = succeededRun();
  run.parameters = { ...run.parameters, epochs: 3, long: "y".repeat(7000) };
  (run.metrics as { eceBefore: number }).eceBefore = NaN;
  const r = mlflowRecord(run);
  assert.equal(r.params.find((p) => p.key === "epochs")!.value, "3", "top level first");
  assert.equal(r.params.filter((p) => p.key === "epochs").length, 1);
  assert.equal(r.params.find((p) => p.key === "long")!.value.length, MLFLOW_LIMITS.paramValue);
  assert.equal(r.metrics.find((m) => m.key === "ece_before"), undefined);
});

Deno.test("mlflowKey() keeps MLflow's allowed characters and never makes a path that escapes", () => {
  assert.equal(mlflowKey("f1.Sci/Tech"), "f1.Sci/Tech");
  assert.equal(mlflowKey("f1.a b-c_d"), "f1.a b-c_d");
  assert.equal(mlflowKey("f1.naïve:x"), "f1.na_ve_x");
  assert.equal(mlflowKey("../../etc/passwd"), "_/_/etc/passwd");
  assert.equal(mlflowKey("/abs//x/."), "_/abs/_/x/_");
  assert.equal(mlflowKey("k".repeat(400)).length, MLFLOW_LIMITS.key);
});
