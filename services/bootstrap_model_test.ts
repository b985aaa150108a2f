import assert from "node:assert/strict";
import { join } from "node:path";
import { activationHistory, activeModelVersion, listModels } from "../db/models.ts";
import { listRuns } from "../db/training_runs.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { ModelDirError } from "../ml/mod.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { BOOTSTRAP_ACTOR } from "./bootstrap_model.ts";
import { createModelRuntime, ensureActiveModel } from "./model_runtime.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { trainModelDir } from "./training.ts";

/** A `train --out` folder with one toy model in it, as an image build leaves it. */
async function bakedModel(root: string, seed = 1) {
  const out = join(root, `baked-${seed}`);
  const manifest = await trainModelDir(toyCorpus(300, 7), {
    ...TOY_TRAINING,
    seed,
    name: "baked",
    modelDir: out,
  });
  return { out, manifest, dir: join(out, manifest.version) };
}

/** Names of the folders in `dir` (none when it does not exist). */
async function entries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

for (const { name, open } of testDatabases()) {
  Deno.test(`ensureActiveModel() with BOOTSTRAP_MODEL_DIR (${name})`, async (t) => {
    const root = await Deno.makeTempDir({ prefix: "newsintel-bootstrap-" });
    const { db, reset, close } = await open();
    const baked = await bakedModel(root);
    try {
      await t.step(
        "an empty database ends up serving the baked model, without training",
        async () => {
          const modelDir = join(root, "models-a");
          const config = loadConfig({ MODEL_DIR: modelDir, BOOTSTRAP_MODEL_DIR: baked.out });
          const version = await ensureActiveModel(db, config);
          assert.equal(version, baked.manifest.version);
          const [activation] = await activationHistory(db);
          assert.deepEqual([activation.version, activation.action, activation.actor], [
            baked.manifest.version,
            "bootstrap",
            BOOTSTRAP_ACTOR,
          ]);
          assert.deepEqual(await listRuns(db, { limit: 10 }), [], "no training run");
          const [model] = await listModels(db);
          assert.deepEqual([model.origin, model.location], ["trained", baked.manifest.version]);
          assert.deepEqual(await entries(modelDir), [baked.manifest.version]);
          const runtime = await createModelRuntime(db, config);
          try {
            const { model: served, predictions } = await runtime.classify(["the striker scored"]);
            assert.equal(served.version, baked.manifest.version);
            assert.equal(predictions[0].label, "sport");
          } finally {
            await runtime.close();
          }
        },
      );

      await t.step("a replica with its own empty MODEL_DIR gets the files back", async () => {
        const modelDir = join(root, "models-b");
        const config = loadConfig({ MODEL_DIR: modelDir, BOOTSTRAP_MODEL_DIR: baked.dir });
        assert.equal(await ensureActiveModel(db, config), baked.manifest.version);
        assert.deepEqual(await entries(modelDir), [baked.manifest.version]);
        assert.equal((await activationHistory(db)).length, 1, "activated once");
      });

      await t.step("an active model stays active; the baked one is only registered", async () => {
        const other = await bakedModel(root, 2);
        const config = loadConfig({
          MODEL_DIR: join(root, "models-a"),
          BOOTSTRAP_MODEL_DIR: other.out,
        });
        assert.equal(await ensureActiveModel(db, config), baked.manifest.version);
        const versions = (await listModels(db)).map((m) => m.version).sort();
        assert.deepEqual(versions, [baked.manifest.version, other.manifest.version].sort());
      });

      await t.step("a tampered baked model is refused and leaves nothing behind", async () => {
        await reset();
        const copy = join(root, "tampered");
        await Deno.mkdir(join(copy, "onnx"), { recursive: true });
        for (const file of ["manifest.json", ...Object.keys(baked.manifest.files)]) {
          await Deno.copyFile(join(baked.dir, file), join(copy, file));
        }
        await Deno.writeTextFile(join(copy, "tokenizer_config.json"), "{}");
        const modelDir = join(root, "models-c");
        const config = loadConfig({ MODEL_DIR: modelDir, BOOTSTRAP_MODEL_DIR: copy });
        await assert.rejects(
          () => ensureActiveModel(db, config),
          (e) => e instanceof ModelDirError && /does not match its manifest/.test(e.message),
        );
        assert.equal(await activeModelVersion(db), null);
        assert.deepEqual(await listModels(db), []);
        assert.deepEqual(await entries(modelDir), []);
      });

      await t.step("a folder with no model, or with two, is refused by name", async () => {
        const empty = join(root, "empty");
        await Deno.mkdir(empty);
        const config = (dir: string) =>
          loadConfig({ MODEL_DIR: join(root, "models-d"), BOOTSTRAP_MODEL_DIR: dir });
        await assert.rejects(() => ensureActiveModel(db, config(empty)), /holds no model/);
        await assert.rejects(
          () => ensureActiveModel(db, config(join(root, "missing"))),
          /does not exist/,
        );
        const two = join(root, "two");
        await Deno.mkdir(two);
        await Deno.rename(baked.dir, join(two, baked.manifest.version));
        await Deno.rename((await bakedModel(root, 3)).dir, join(two, "other"));
        await assert.rejects(() => ensureActiveModel(db, config(two)), /holds 2 models/);
        assert.equal(await activeModelVersion(db), null);
      });
    } finally {
      await close();
      await Deno.remove(root, { recursive: true });
    }
  });
}
