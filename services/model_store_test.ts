import assert from "node:assert/strict";
import { join } from "node:path";
import { getModel } from "../db/models.ts";
import { storedModelFiles, storedModelVersions } from "../db/model_files.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { verifyModelDir } from "../ml/mod.ts";
import { createModelRuntime, localModelDir } from "./model_runtime.ts";
import {
  ensureModelFiles,
  fetchStoredModel,
  ModelStoreError,
  storeMissingModels,
} from "./model_store.ts";
import { trainToyModel } from "../testing/services/test_model.ts";
import { testApp } from "../testing/routes/test_app.ts";

/** Names in `dir` (none when it does not exist). */
async function entries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

for (const { name, open } of testDatabases()) {
  Deno.test(`model store (${name})`, async (t) => {
    const { db, close } = await open();
    const root = await Deno.makeTempDir({ prefix: "newsintel-store-" });
    const dirA = join(root, "a");
    const first = await trainToyModel(db, dirA, { seed: 1, name: "toy-a" });
    try {
      await t.step(
        "registering a trained model stores manifest.json and every listed file",
        async () => {
          const files = await storedModelFiles(db, first.version);
          assert.deepEqual(
            files.map((f) => f.path),
            ["manifest.json", ...Object.keys(first.files)].sort(),
          );
          for (const f of files) assert.deepEqual(f.chunks.map((c) => c.chunkNo), [0]);
        },
      );

      await t.step("model files are stored uncompressed (weights do not compress)", async () => {
        const [row] = await db.query<{ storage: string; compressed: number }>(
          `SELECT (SELECT attstorage FROM pg_attribute
                    WHERE attrelid = 'model_files'::regclass AND attname = 'bytes') AS storage,
                  (SELECT count(*)::int FROM model_files
                    WHERE pg_column_compression(bytes) IS NOT NULL) AS compressed`,
        );
        assert.deepEqual(row, { storage: "e", compressed: 0 });
      });

      await t.step(
        "a replica with an empty MODEL_DIR fetches the model and serves it",
        async () => {
          const dirB = join(root, "b");
          const runtime = await createModelRuntime(db, loadConfig({ MODEL_DIR: dirB }));
          try {
            assert.equal(runtime.current()?.version, first.version);
            assert.deepEqual(await entries(dirB), [first.version]);
            assert.equal((await verifyModelDir(join(dirB, first.version))).version, first.version);
            const { predictions } = await runtime.classify(["a match and a goal"]);
            assert.equal(predictions.length, 1);
          } finally {
            await runtime.close();
          }
        },
      );

      await t.step("a tampered cached copy is set aside and fetched again", async () => {
        const dirC = join(root, "c");
        const record = (await getModel(db, first.version))!;
        const dir = await ensureModelFiles(db, dirC, record);
        await Deno.writeTextFile(join(dir, "config.json"), "{}");
        await ensureModelFiles(db, dirC, record);
        assert.equal((await verifyModelDir(dir)).version, first.version);
      });

      await t.step("a corrupt stored file is refused and nothing is left behind", async () => {
        await db.query(
          `UPDATE model_files SET bytes = $2::bytea WHERE version = $1 AND path = 'onnx/model.onnx'`,
          [first.version, new TextEncoder().encode("not a model")],
        );
        const dirD = join(root, "d");
        const record = (await getModel(db, first.version))!;
        await assert.rejects(
          () => fetchStoredModel(db, dirD, record),
          (err: Error) =>
            err instanceof ModelStoreError && /corrupt/.test(err.message) &&
            /onnx\/model\.onnx/.test(err.message),
        );
        assert.deepEqual(await entries(dirD), []);
      });

      await t.step("a missing stored file or manifest is refused", async () => {
        await db.query(`DELETE FROM model_files WHERE version = $1 AND path = 'config.json'`, [
          first.version,
        ]);
        const record = (await getModel(db, first.version))!;
        await assert.rejects(
          () => fetchStoredModel(db, join(root, "e"), record),
          /has no config\.json/,
        );
        await db.query("DELETE FROM model_files WHERE version = $1", [first.version]);
        await assert.rejects(
          () => fetchStoredModel(db, join(root, "e"), record),
          /not in the model store/,
        );
      });

      await t.step("models registered before the store are stored from MODEL_DIR", async () => {
        assert.deepEqual(await storedModelVersions(db), []);
        assert.deepEqual(await storeMissingModels(db, dirA), [first.version]);
        assert.deepEqual(await storeMissingModels(db, dirA), []);
        const fetched = await fetchStoredModel(
          db,
          join(root, "f"),
          (await getModel(db, first.version))!,
        );
        assert.equal((await verifyModelDir(fetched)).version, first.version);
      });

      await t.step(
        "localModelDir() (bundle, evaluate) fetches a stored model MODEL_DIR lacks",
        async () => {
          const record = (await getModel(db, first.version))!;
          const dir = await localModelDir(db, loadConfig({ MODEL_DIR: join(root, "h") }), record);
          assert.equal(dir, join(root, "h", first.version));
          assert.equal((await verifyModelDir(dir!)).version, first.version);
        },
      );

      await t.step(
        "a promoted model whose stored copy is corrupt: the replica keeps serving and /ready says why",
        async () => {
          const dirG = join(root, "g");
          const runtime = await createModelRuntime(db, loadConfig({ MODEL_DIR: dirG }));
          try {
            const second = await trainToyModel(db, dirA, { seed: 2, name: "toy-b" });
            await db.query(
              `UPDATE model_files SET bytes = $2::bytea WHERE version = $1 AND path = 'tokenizer.json'`,
              [second.version, new TextEncoder().encode("{}")],
            );
            await runtime.refresh();
            assert.equal(runtime.current()?.version, first.version);
            const [problem] = runtime.problems();
            assert.equal(problem.version, second.version);
            assert.match(problem.error, /corrupt.*tokenizer\.json/);
            assert.deepEqual(await entries(dirG), [first.version]);
            const { app } = testApp(db, { MODEL_DIR: dirG }, runtime);
            const res = await app.request("/ready");
            assert.equal(res.status, 200);
            const body = await res.json();
            assert.equal(body.status, "ready");
            assert.equal(body.details.models[0].version, second.version);
            // Once the store holds a good copy again, the next poll serves it.
            await db.query("DELETE FROM model_files WHERE version = $1", [second.version]);
            await storeMissingModels(db, dirA);
            await runtime.refresh();
            assert.equal(runtime.current()?.version, second.version);
            assert.deepEqual(runtime.problems(), []);
            assert.equal((await (await app.request("/ready")).json()).details, undefined);
          } finally {
            await runtime.close();
          }
        },
      );
    } finally {
      await close();
      await Deno.remove(root, { recursive: true });
    }
  });
}
