import assert from "node:assert/strict";
import { join } from "node:path";
import { activateModel, activationHistory, listModels } from "../db/models.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { verifyModelDir } from "../ml/mod.ts";
import { ModelStoreError } from "./model_store.ts";
import { loadConfig } from "../lib/config.ts";
import { createModelRuntime, ensureActiveModel } from "./model_runtime.ts";
import { TOY_TRAINING, trainToyModel } from "../testing/services/test_model.ts";
import { trainAndRegister } from "./training.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";

Deno.test("ensureActiveModel() serves HF_MODEL from a local directory and from a pinned hub revision", async (t) => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  // A model directory in Hugging Face layout, as a hub repository would hold it.
  const toy = await trainToyModel(db, modelDir, { activate: false });
  const toyDir = join(modelDir, toy.version);
  try {
    await t.step("a local directory (./ or / path) is registered and activated", async () => {
      const config = loadConfig({ MODEL_DIR: modelDir, HF_MODEL: toyDir });
      const version = await ensureActiveModel(db, config);
      assert.equal(version, `local:${toyDir}`);
      const runtime = await createModelRuntime(db, config);
      try {
        const { model, predictions } = await runtime.classify(["the striker scored a goal"]);
        assert.equal(model.version, version);
        assert.equal(predictions[0].label, "sport");
      } finally {
        await runtime.close();
      }
    });

    await t.step("a hub repository is fetched at HF_MODEL_REVISION only", async () => {
      const revision = "4f2e0c9a1b7d3e5f60718293a4b5c6d7e8f90a1b";
      const requested: string[] = [];
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
        const path = decodeURIComponent(new URL(req.url).pathname);
        requested.push(path);
        const prefix = `/acme/topics/resolve/${revision}/`;
        const file = path.startsWith(prefix) ? path.slice(prefix.length) : null;
        const bytes = file && await Deno.readFile(join(toyDir, file)).catch(() => null);
        return bytes ? new Response(bytes) : new Response("Entry not found", { status: 404 });
      });
      try {
        const config = loadConfig({
          MODEL_DIR: modelDir,
          HF_MODEL: "acme/topics",
          HF_MODEL_REVISION: revision,
          HF_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
        });
        const version = await ensureActiveModel(db, config);
        assert.equal(version, `acme/topics@${revision}`);
        const runtime = await createModelRuntime(db, config);
        try {
          assert.equal(
            (await runtime.classify(["shares and profit at the bank"])).predictions[0].label,
            "markets",
          );
        } finally {
          await runtime.close();
        }
        assert.ok(
          requested.length > 0 && requested.every((p) => p.includes(`/resolve/${revision}/`)),
          String(requested),
        );
        const hub = (await listModels(db)).find((m) => m.version === version)!;
        assert.deepEqual([hub.origin, hub.active], ["hub", true]);
      } finally {
        await server.shutdown();
      }
    });
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("ensureActiveModel() keeps an active model and bootstraps only once", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  try {
    const toy = await trainToyModel(db, modelDir);
    const config = loadConfig({ MODEL_DIR: modelDir });
    assert.equal(await ensureActiveModel(db, config), toy.version);
    assert.equal(await ensureActiveModel(db, config), toy.version);
    assert.equal((await activationHistory(db)).length, 1);
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("a tampered or missing model directory is fetched again from the model store", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  try {
    const toy = await trainToyModel(db, modelDir);
    const onnx = join(modelDir, toy.version, "onnx", "model.onnx");
    const bytes = await Deno.readFile(onnx);
    bytes[bytes.length - 1] ^= 0xff;
    await Deno.writeFile(onnx, bytes);
    const runtime = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
    await runtime.close();
    assert.equal((await verifyModelDir(join(modelDir, toy.version))).version, toy.version);
    // Neither in MODEL_DIR nor in the store: a start-up error naming the model.
    await Deno.remove(join(modelDir, toy.version), { recursive: true });
    await db.query("DELETE FROM model_files");
    await assert.rejects(
      () => createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir })),
      (e) =>
        e instanceof ModelStoreError && e.message.includes(toy.version) &&
        /not in the model store/.test(e.message),
    );
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});

Deno.test("a served model with word vectors gives each text's vector; one from before gives none", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  const vectorsFile = await writeToyVectorsFile();
  try {
    const plain = await trainToyModel(db, modelDir);
    const runtime = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
    try {
      const before = await runtime.classify(["the striker scored a goal"]);
      assert.equal(before.model.version, plain.version);
      assert.equal(before.vectors, undefined);
      assert.ok(!("vector" in before.predictions[0]));
      const dense = await trainAndRegister(db, toyCorpus(300), {
        ...TOY_TRAINING,
        name: "toy",
        modelDir,
        vectors: "glove",
        vectorsFile,
      });
      await db.transaction((tx) =>
        activateModel(tx, { version: dense.version, action: "promote", actor: "test" })
      );
      await runtime.refresh();
      const after = await runtime.classify(["the striker scored a goal", "zzz"]);
      assert.equal(after.model.version, dense.version);
      assert.equal(after.vectors?.length, 2);
      assert.equal(after.vectors![0].length, 8);
      assert.ok(!("vector" in after.predictions[0]), "predictions stay as they were");
    } finally {
      await runtime.close();
    }
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
    await Deno.remove(vectorsFile);
  }
});
