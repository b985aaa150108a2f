import assert from "node:assert/strict";
import { join } from "node:path";
import { activateModel } from "../db/models.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { verifyModelDir } from "../ml/mod.ts";
import { ModelStoreError } from "./model_store.ts";
import { loadConfig } from "../lib/config.ts";
import { createModelRuntime, runModels, textFor } from "./model_runtime.ts";
import { articleText } from "../ml/article_text.ts";
import { MAX_RUN_CHARS } from "../ml/mod.ts";
import { TOY_TRAINING, trainToyModel } from "../testing/services/test_model.ts";
import { trainAndRegister } from "./training.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";

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

Deno.test("runModels() runs models together on short texts, one after the other on long ones", async () => {
  const trace = (log: string[]) =>
    [1, 2].map((k) => async () => {
      log.push(`start ${k}`);
      await new Promise((resolve) => setTimeout(resolve, 0));
      log.push(`end ${k}`);
      return k;
    });
  const together: string[] = [];
  assert.deepEqual(await runModels(MAX_RUN_CHARS, trace(together)), [1, 2]);
  assert.deepEqual(together, ["start 1", "start 2", "end 1", "end 2"]);
  const inTurn: string[] = [];
  assert.deepEqual(await runModels(MAX_RUN_CHARS + 1, trace(inTurn)), [1, 2]);
  assert.deepEqual(inTurn, ["start 1", "end 1", "start 2", "end 2"]);
});

Deno.test("textFor() gives each model an article in the shape of its own training texts", () => {
  const article = { title: "Striker scores", body: "The league season ended." };
  assert.equal(
    textFor({ headlineRepeats: 1 }, article),
    "Striker scores . The league season ended.",
  );
  assert.equal(
    textFor({ headlineRepeats: 2 }, article),
    "Striker scores . Striker scores . The league season ended.",
  );
  assert.equal(textFor({ headlineRepeats: 2 }, "as given"), "as given");
});

Deno.test("a served model classifies an article as the text of its own shape", async () => {
  const { db, close } = await pgliteTestDb();
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  try {
    await trainToyModel(db, modelDir);
    const runtime = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
    try {
      const article = { title: "Shares and profit", body: "the striker scored a goal in the cup" };
      const [asArticle] = await runtime.classifyAll([article]);
      const twice = await runtime.classify([articleText(article.title, article.body, 2)]);
      const once = await runtime.classify([articleText(article.title, article.body, 1)]);
      assert.deepEqual(asArticle.predictions, twice.predictions);
      assert.notDeepEqual(asArticle.predictions, once.predictions);
    } finally {
      await runtime.close();
    }
  } finally {
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});
