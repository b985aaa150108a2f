import assert from "node:assert/strict";
import { registerModel } from "./models.ts";
import {
  ABANDONED_RUN_ERROR,
  failAbandonedRuns,
  failRun,
  finishRun,
  getRun,
  listRuns,
  MAX_RUN_ERROR_LENGTH,
  recordMlflow,
  renewRun,
  RUN_STALE_SECONDS,
  startRun,
} from "./training_runs.ts";
import { testDatabases } from "../testing/db/test_db.ts";

const DATA = { sha256: "ab".repeat(32), size: 300 };
const REPORT = {
  labels: ["a", "b"],
  accuracy: 0.9,
  confusion: [[5, 1], [0, 4]],
  perClass: { a: { f1: 0.9 } },
};

for (const { name, open } of testDatabases()) {
  Deno.test(`training runs go from running to succeeded or failed, once (${name})`, async () => {
    const { db, close } = await open();
    try {
      const params = { name: "toy", seed: 3, folds: 3, reviewed: false, hyperparameters: { x: 1 } };
      const ok = await startRun(db, params);
      const running = (await getRun(db, ok))!;
      assert.equal(running.status, "running");
      assert.deepEqual(running.parameters, params);
      assert.equal(running.finishedAt, null);
      assert.equal(running.durationMs, null);
      assert.equal(running.data, null);

      await registerModel(db, {
        version: "v1",
        name: "toy",
        labels: ["a", "b"],
        origin: "trained",
        location: "v1",
      });
      const outcome = {
        modelVersion: "v1",
        data: DATA,
        metrics: { size: 10, report: REPORT },
        foldMetrics: [REPORT, REPORT],
      };
      assert.equal(await finishRun(db, ok, outcome), true);
      assert.equal(await finishRun(db, ok, outcome), false, "a finished run stays finished");
      assert.equal(await failRun(db, ok, { error: "late" }), false);
      const done = (await getRun(db, ok))!;
      assert.equal(done.status, "succeeded");
      assert.equal(done.modelVersion, "v1");
      assert.deepEqual(done.data, DATA);
      assert.deepEqual(done.metrics, outcome.metrics);
      assert.deepEqual(done.foldMetrics, outcome.foldMetrics);
      assert.equal(done.error, null);
      assert.ok(done.durationMs !== null && done.durationMs >= 0);
      assert.ok(done.finishedAt! >= done.startedAt);

      const bad = await startRun(db, { name: "toy" });
      assert.equal(await failRun(db, bad, { error: "x".repeat(10_000), data: DATA }), true);
      const failed = (await getRun(db, bad))!;
      assert.equal(failed.status, "failed");
      assert.equal(failed.error!.length, MAX_RUN_ERROR_LENGTH);
      assert.equal(failed.modelVersion, null);
      assert.deepEqual(failed.data, DATA);
      assert.equal(failed.metrics, null);

      // A run cannot claim a model that is not registered.
      const orphan = await startRun(db, {});
      await assert.rejects(finishRun(db, orphan, { ...outcome, modelVersion: "nope" }));
      assert.equal((await getRun(db, orphan))!.status, "running");

      assert.equal(await getRun(db, 999_999), null);
      assert.equal(await finishRun(db, 999_999, outcome), false);
    } finally {
      await close();
    }
  });

  Deno.test(`listRuns() pages newest first (${name})`, async () => {
    const { db, close } = await open();
    try {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await startRun(db, { seed: i }));
      await failRun(db, ids[1], { error: "boom" });
      const first = await listRuns(db, { limit: 3 });
      assert.deepEqual(first.map((r) => r.id), [ids[4], ids[3], ids[2]]);
      const rest = await listRuns(db, { limit: 3, beforeId: ids[2] });
      assert.deepEqual(rest.map((r) => r.id), [ids[1], ids[0]]);
      assert.equal(rest[0].status, "failed");
      assert.equal(rest[0].error, "boom");
      assert.deepEqual(rest[1].parameters, { seed: 0 });
    } finally {
      await close();
    }
  });

  Deno.test(`recordMlflow() keeps the MLflow run id or the logging error (${name})`, async () => {
    const { db, close } = await open();
    try {
      const id = await startRun(db, { seed: 1 });
      const fresh = (await getRun(db, id))!;
      assert.equal(fresh.mlflowRunId, null);
      assert.equal(fresh.mlflowError, null);
      assert.equal(await recordMlflow(db, id, { runId: "f".repeat(32), error: null }), true);
      assert.equal((await getRun(db, id))!.mlflowRunId, "f".repeat(32));
      assert.equal(await recordMlflow(db, id, { runId: null, error: "e".repeat(9000) }), true);
      const failed = (await getRun(db, id))!;
      assert.equal(failed.mlflowRunId, null);
      assert.equal(failed.mlflowError!.length, MAX_RUN_ERROR_LENGTH);
      assert.equal(await recordMlflow(db, 999_999, { runId: "x", error: null }), false);
    } finally {
      await close();
    }
  });

  Deno.test(`a run whose heartbeat stopped is failed as abandoned by the next start (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const killed = await startRun(db, { seed: 1 });
      const alive = await startRun(db, { seed: 2 });
      const done = await startRun(db, { seed: 3 });
      assert.equal(await failRun(db, done, { error: "bad data" }), true);
      // The killed run's process stopped renewing eleven minutes ago; the other renews.
      await db.query(
        `UPDATE training_runs SET heartbeat_at = clock_timestamp() - make_interval(secs => $2)
          WHERE id = ANY($1::bigint[])`,
        [[killed, alive, done], RUN_STALE_SECONDS + 60],
      );
      assert.equal(await renewRun(db, alive), true);
      assert.equal(await renewRun(db, done), false, "a finished run has no heartbeat");
      const next = await startRun(db, { seed: 4 });
      const run = (await getRun(db, killed))!;
      assert.deepEqual([run.status, run.error], ["failed", ABANDONED_RUN_ERROR]);
      assert.ok(run.finishedAt !== null && run.durationMs! >= 0);
      assert.equal((await getRun(db, alive))!.status, "running");
      assert.equal((await getRun(db, done))!.error, "bad data", "a finished run is left alone");
      assert.equal((await getRun(db, next))!.status, "running");
      assert.equal(await failAbandonedRuns(db), 0, "nothing left to fail");
    } finally {
      await close();
    }
  });
}
