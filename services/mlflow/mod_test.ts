import assert from "node:assert/strict";
import { join } from "node:path";
import { pgliteTestDb } from "../../testing/db/test_db.ts";
import { getRun, listRuns } from "../../db/training_runs.ts";
import { importBundle } from "../../ml/bundle.ts";
import { toyCorpus } from "../../testing/ml/toy_corpus.ts";
import { TOY_TRAINING } from "../../testing/services/test_model.ts";
import { trainAndRegister } from "../training.ts";
import { mlflowTracking } from "./mod.ts";
import { fakeMlflow } from "../../testing/services/mlflow/test_server.ts";

const config = (uri?: string) => ({
  mlflowTrackingUri: uri,
  mlflowTrackingToken: undefined,
  mlflowExperimentName: "newsintel",
});

Deno.test("mlflowTracking() is off without MLFLOW_TRACKING_URI", () => {
  assert.equal(mlflowTracking(config()), undefined);
});

Deno.test("training runs are logged to a file store, the model bundle as an artifact", async () => {
  const { db, close } = await pgliteTestDb();
  const dir = await Deno.makeTempDir({ prefix: "newsintel-mlflow-" });
  const modelDir = join(dir, "models");
  const root = join(dir, "mlruns");
  try {
    const tracking = mlflowTracking(config(`file:${root}`));
    const options = { ...TOY_TRAINING, name: "toy", modelDir };
    const manifest = await trainAndRegister(db, toyCorpus(200), options, { tracking });
    await assert.rejects(trainAndRegister(db, [], options, { tracking }), /no labelled examples/);

    const [failed, ok] = await listRuns(db, { limit: 2 });
    assert.match(ok.mlflowRunId!, /^[0-9a-f]{32}$/);
    assert.equal(ok.mlflowError, null);
    assert.match(failed.mlflowRunId!, /^[0-9a-f]{32}$/);
    const [expId] = [...Deno.readDirSync(root)].map((e) => e.name)
      .filter((n) => n !== "0" && n !== ".trash");
    const runDir = join(root, expId, ok.mlflowRunId!);
    assert.match(await Deno.readTextFile(join(runDir, "meta.yaml")), /^status: 3$/m);
    assert.match(
      await Deno.readTextFile(join(root, expId, failed.mlflowRunId!, "meta.yaml")),
      /^status: 4$/m,
    );
    assert.equal(
      await Deno.readTextFile(join(runDir, "tags", "newsintel.model_version")),
      manifest.version,
    );
    // The artifact is the model bundle: it imports as the model trained.
    const imported = await importBundle(
      join(runDir, "artifacts", `${manifest.version}.tar.gz`),
      join(dir, "imported"),
    );
    assert.equal(imported.version, manifest.version);
    assert.deepEqual(
      [...Deno.readDirSync(modelDir)].map((e) => e.name),
      [manifest.version],
      "the temporary bundle is removed",
    );
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a logging failure never fails training: it is kept on the run", async () => {
  const { db, close } = await pgliteTestDb();
  const dir = await Deno.makeTempDir({ prefix: "newsintel-mlflow-" });
  const server = fakeMlflow({ failOn: "mlflow/runs/log-batch" });
  try {
    const options = { ...TOY_TRAINING, name: "toy", modelDir: join(dir, "models") };
    const served = mlflowTracking(config(server.url));
    const manifest = await trainAndRegister(db, toyCorpus(200), options, { tracking: served });
    const run = (await getRun(db, 1))!;
    assert.equal(run.status, "succeeded");
    assert.equal(run.modelVersion, manifest.version);
    assert.match(run.mlflowError!, /log-batch answered 503/);
    assert.ok(run.mlflowRunId, "the MLflow run that was created is named");
    assert.equal(server.calls.at(-1)!.path, "mlflow/runs/update");

    // A file store that cannot be written (its root is a file).
    const notADir = join(dir, "mlruns");
    await Deno.writeTextFile(notADir, "");
    const broken = mlflowTracking(config(`file:${notADir}`));
    await trainAndRegister(db, toyCorpus(200), { ...options, seed: 2 }, { tracking: broken });
    const second = (await getRun(db, 2))!;
    assert.equal(second.status, "succeeded");
    assert.equal(second.mlflowRunId, null);
    assert.ok(second.mlflowError);
  } finally {
    await server.close();
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});
