import assert from "node:assert/strict";
import { join } from "node:path";
import { type MlflowRecord, mlflowRecord } from "./record.ts";
import { BATCH_LIMITS, batches, logToServer, MlflowLogError, proxiedArtifactPath } from "./rest.ts";
import { failedRun, succeededRun } from "../../testing/services/mlflow/test_runs.ts";
import { fakeMlflow } from "../../testing/services/mlflow/test_server.ts";

/** A record with many params, metrics and tags, to be split over several batches. */
function bigRecord(): MlflowRecord {
  const r = mlflowRecord(succeededRun());
  return {
    ...r,
    params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
    metrics: Array.from({ length: 2500 }, (_, i) => ({
      key: `m${i % 7}`,
      value: i / 3,
      timestamp: r.startTime,
      step: i,
    })),
    tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: "v" })),
  };
}

Deno.test("batches() keeps every log-batch within MLflow's limits and loses nothing", () => {
  const record = bigRecord();
  const out = batches(record);
  for (const b of out) {
    assert.ok(b.params.length <= BATCH_LIMITS.params);
    assert.ok(b.tags.length <= BATCH_LIMITS.tags);
    assert.ok(b.metrics.length <= BATCH_LIMITS.metrics);
    assert.ok(b.params.length + b.tags.length + b.metrics.length <= BATCH_LIMITS.total);
  }
  assert.deepEqual(out.flatMap((b) => b.params), record.params);
  assert.deepEqual(out.flatMap((b) => b.tags), record.tags);
  assert.deepEqual(out.flatMap((b) => b.metrics), record.metrics, "metrics keep their order");
  assert.deepEqual(out.map((b) => [b.params.length, b.tags.length, b.metrics.length]), [
    [100, 100, 800],
    [50, 20, 930],
    [0, 0, 770],
  ]);
  assert.deepEqual(batches({ params: [], metrics: [], tags: [] }), []);
});

Deno.test("proxiedArtifactPath() reads mlflow-artifacts URIs and nothing else", () => {
  assert.equal(proxiedArtifactPath("mlflow-artifacts:/1/abc/artifacts"), "1/abc/artifacts");
  assert.equal(proxiedArtifactPath("mlflow-artifacts://h:5000/1/abc/artifacts"), "1/abc/artifacts");
  assert.equal(proxiedArtifactPath("s3://bucket/1/abc/artifacts"), null);
  assert.equal(proxiedArtifactPath("file:///mlruns/1/abc/artifacts"), null);
});

Deno.test("logToServer() creates the experiment and run, logs in batches, uploads, then ends the run", async () => {
  const server = fakeMlflow({ token: "s3cret" });
  const dir = await Deno.makeTempDir({ prefix: "newsintel-mlflow-" });
  try {
    const artifact = join(dir, "bundle.tar.gz");
    await Deno.writeFile(artifact, new Uint8Array([1, 2, 3, 4]));
    const record = bigRecord();
    const runId = await logToServer({ baseUrl: `${server.url}/`, token: "s3cret" }, "newsintel", {
      record,
      artifacts: [{ path: artifact, name: "v 1.tar.gz" }],
    });
    const calls = server.calls;
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
      "GET mlflow/experiments/get-by-name",
      "POST mlflow/experiments/create",
      "POST mlflow/runs/create",
      "POST mlflow/runs/log-batch",
      "POST mlflow/runs/log-batch",
      "POST mlflow/runs/log-batch",
      `PUT mlflow-artifacts/artifacts/1/${runId}/artifacts/v%201.tar.gz`,
      "POST mlflow/runs/update",
    ]);
    assert.ok(calls.every((c) => c.authorization === "Bearer s3cret"));
    assert.deepEqual(calls[0].query, { experiment_name: "newsintel" });
    assert.deepEqual(calls[1].body, { name: "newsintel" });
    assert.deepEqual(calls[2].body, {
      experiment_id: "1",
      user_id: "newsintel",
      run_name: "agnews-topics-run-7",
      start_time: record.startTime,
    });
    const logged = calls.filter((c) => c.path === "mlflow/runs/log-batch")
      .map((c) => c.body as { run_id: string; metrics: unknown[]; params: unknown[] });
    assert.ok(logged.every((b) => b.run_id === runId));
    assert.equal(logged.reduce((n, b) => n + b.metrics.length, 0), 2500);
    assert.deepEqual(logged[0].metrics[0], record.metrics[0], "key, value, timestamp, step");
    assert.deepEqual(calls[6].bytes, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual(calls[7].body, {
      run_id: runId,
      status: "FINISHED",
      end_time: record.endTime,
    });

    // The next run finds the experiment by name.
    server.calls.length = 0;
    await logToServer({ baseUrl: server.url, token: "s3cret" }, "newsintel", {
      record: mlflowRecord(failedRun()),
    });
    assert.deepEqual(server.calls.map((c) => c.path), [
      "mlflow/experiments/get-by-name",
      "mlflow/runs/create",
      "mlflow/runs/log-batch",
      "mlflow/runs/update",
    ]);
    const tags = (server.calls[2].body as { tags: { key: string; value: string }[] }).tags;
    assert.ok(tags.some((t) => t.key === "newsintel.error" && /two distinct labels/.test(t.value)));
    assert.equal((server.calls[3].body as { status: string }).status, "FAILED");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logToServer() tags the run instead of uploading when the server does not proxy artifacts", async () => {
  const server = fakeMlflow({ artifactUri: (e, r) => `s3://bucket/${e}/${r}/artifacts` });
  try {
    await logToServer({ baseUrl: server.url }, "newsintel", {
      record: mlflowRecord(succeededRun()),
      artifacts: [{ path: "/nonexistent", name: "v1.tar.gz" }],
    });
    assert.ok(server.calls.every((c) => c.method !== "PUT"));
    assert.ok(server.calls.every((c) => c.authorization === null), "no token, no header");
    const batch = server.calls.find((c) => c.path === "mlflow/runs/log-batch")!;
    const tags = (batch.body as { tags: { key: string; value: string }[] }).tags;
    assert.match(tags.find((t) => t.key === "newsintel.artifacts")!.value, /s3:\/\/bucket/);
  } finally {
    await server.close();
  }
});

Deno.test("logToServer() marks the run FAILED and names it when a call answers 5xx", async () => {
  const server = fakeMlflow({ failOn: "mlflow/runs/log-batch" });
  try {
    const err = await logToServer({ baseUrl: server.url }, "newsintel", {
      record: mlflowRecord(succeededRun()),
    }).then(() => null, (e) => e);
    assert.ok(err instanceof MlflowLogError);
    assert.match(err.message, /log-batch answered 503/);
    const created = server.calls.find((c) => c.path === "mlflow/runs/create")!;
    assert.ok(err.runId);
    const last = server.calls.at(-1)!;
    assert.equal(last.path, "mlflow/runs/update");
    assert.deepEqual((last.body as { run_id: string; status: string }).status, "FAILED");
    assert.ok(created);

    // Before the run exists, the error is plain and names no run.
    const wrong = fakeMlflow({ token: "right" });
    try {
      await assert.rejects(
        logToServer({ baseUrl: wrong.url, token: "wrong" }, "newsintel", {
          record: mlflowRecord(succeededRun()),
        }),
        (e: Error) => !(e instanceof MlflowLogError) && /answered 401/.test(e.message),
      );
    } finally {
      await wrong.close();
    }
  } finally {
    await server.close();
  }
});

Deno.test("logToServer() says which call could not reach the server, without credentials", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const err = await logToServer(
    { baseUrl: `http://user:hunter2@127.0.0.1:${port}` },
    "newsintel",
    { record: mlflowRecord(succeededRun()) },
  ).then(() => null, (e) => e as Error);
  assert.ok(err);
  assert.match(err.message, /^MLflow GET \/api\/2\.0\/mlflow\/experiments\/get-by-name failed/);
  assert.doesNotMatch(err.message, /hunter2/);
});

Deno.test("logToServer() sends MLFLOW_TRACKING_USERNAME/PASSWORD as basic auth, before a token", async () => {
  const server = fakeMlflow({ basic: { username: "ci", password: "pässword:1" } });
  try {
    await logToServer(
      { baseUrl: server.url, username: "ci", password: "pässword:1", token: "ignored" },
      "newsintel",
      { record: mlflowRecord(succeededRun()) },
    );
    const expected = `Basic ${
      btoa(String.fromCharCode(...new TextEncoder().encode("ci:pässword:1")))
    }`;
    assert.ok(server.calls.length > 2);
    assert.ok(server.calls.every((c) => c.authorization === expected));
    // Wrong credentials: refused, and said so.
    await assert.rejects(
      () =>
        logToServer({ baseUrl: server.url, username: "ci", password: "wrong" }, "newsintel", {
          record: mlflowRecord(succeededRun()),
        }),
      /answered 401/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("logToServer() refuses an experiment that is deleted, creating nothing", async () => {
  const server = fakeMlflow({ deleted: ["newsintel"] });
  try {
    await assert.rejects(
      () =>
        logToServer({ baseUrl: server.url }, "newsintel", { record: mlflowRecord(succeededRun()) }),
      /MLflow experiment 'newsintel' \(id 1\) is deleted: restore it/,
    );
    assert.deepEqual(server.calls.map((c) => c.path), ["mlflow/experiments/get-by-name"]);
  } finally {
    await server.close();
  }
});
