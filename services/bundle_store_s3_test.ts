import assert from "node:assert/strict";
import { join } from "node:path";
import { getModel } from "../db/models.ts";
import { storedModelVersions } from "../db/model_files.ts";
import { activateModel } from "../db/models.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { verifyModelDir } from "../ml/mod.ts";
import { bundleStoreFor } from "./bundle_store_config.ts";
import { createModelRuntime } from "./model_runtime.ts";
import { fetchStoredModel, ModelStoreError, storeMissingModels } from "./model_store.ts";
import { trainToyModel } from "../testing/services/test_model.ts";
import { startTestS3 } from "../testing/services/test_s3.ts";

/** Names in `dir` (none when it does not exist). */
async function entries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("loadConfig() reads MODEL_STORE_URL: bucket, prefix, path-style for an endpoint", () => {
  const config = loadConfig({
    MODEL_STORE_URL: "s3://models/news/intel/",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9001",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
  });
  assert.equal(config.modelStore?.bucket, "models");
  assert.equal(config.modelStore?.prefix, "news/intel");
  assert.equal(config.modelStore?.endpoint, "http://127.0.0.1:9001");
  assert.equal(config.modelStore?.forcePathStyle, true);
  assert.equal(loadConfig({ MODEL_STORE_URL: "s3://models" }).modelStore?.forcePathStyle, false);
  assert.equal(loadConfig({}).modelStore, undefined);
  assert.throws(() => loadConfig({ MODEL_STORE_URL: "http://models" }), /MODEL_STORE_URL/);
  assert.throws(
    () => loadConfig({ MODEL_STORE_URL: "s3://models", AWS_ACCESS_KEY_ID: "id" }),
    /set both or neither/,
  );
});

for (const { name, open } of testDatabases()) {
  Deno.test(`model store in S3 (${name})`, async (t) => {
    const { db, close } = await open();
    const s3 = await startTestS3();
    const env = s3.env("newsintel");
    const store = await bundleStoreFor(loadConfig(env));
    const root = await Deno.makeTempDir({ prefix: "newsintel-s3store-" });
    const first = await trainToyModel(db, join(root, "a"), { seed: 1, name: "toy-a", store });
    const objectFile = (path: string) =>
      join(s3.directory, s3.bucket, "newsintel", first.version, `${path}._S3rver_object`);
    try {
      await t.step("a registered model's files go to the bucket, not the database", async () => {
        assert.deepEqual(await storedModelVersions(db), []);
        assert.equal(await store.has(db, first.version), true);
        for (const path of ["manifest.json", ...Object.keys(first.files)]) {
          assert.ok((await Deno.stat(objectFile(path))).isFile, path);
        }
        // Stored once: a second put writes nothing.
        assert.equal(await store.put(db, join(root, "a", first.version), first), false);
      });

      await t.step(
        "a replica with an empty MODEL_DIR fetches from the bucket and serves",
        async () => {
          const dirB = join(root, "b");
          const runtime = await createModelRuntime(db, loadConfig({ ...env, MODEL_DIR: dirB }));
          try {
            assert.equal(runtime.current()?.version, first.version);
            assert.equal((await verifyModelDir(join(dirB, first.version))).version, first.version);
            assert.equal((await runtime.classify(["a match and a goal"])).predictions.length, 1);
          } finally {
            await runtime.close();
          }
        },
      );

      await t.step("a corrupt object is refused and nothing is left in MODEL_DIR", async () => {
        const file = objectFile("onnx/model.onnx");
        const good = await Deno.readFile(file);
        await Deno.writeTextFile(file, "not a model");
        const dirC = join(root, "c");
        try {
          await assert.rejects(
            async () => fetchStoredModel(db, dirC, (await getModel(db, first.version))!, { store }),
            (err: Error) =>
              err instanceof ModelStoreError && /corrupt/.test(err.message) &&
              err.message.includes("s3://models-test/newsintel") &&
              /onnx\/model\.onnx/.test(err.message),
          );
          assert.deepEqual(await entries(dirC), []);
        } finally {
          await Deno.writeFile(file, good);
        }
      });

      await t.step("a missing object or manifest is named", async () => {
        const record = (await getModel(db, first.version))!;
        const config = objectFile("config.json");
        const saved = await Deno.readFile(config);
        await Deno.remove(config);
        await assert.rejects(
          () => fetchStoredModel(db, join(root, "d"), record, { store }),
          (err: Error) =>
            err instanceof ModelStoreError && /has no config\.json/.test(err.message) &&
            err.message.includes(`newsintel/${first.version}/config.json is missing`),
        );
        await Deno.writeFile(config, saved);
        const manifest = objectFile("manifest.json");
        const savedManifest = await Deno.readFile(manifest);
        await Deno.remove(manifest);
        await assert.rejects(
          () => fetchStoredModel(db, join(root, "d"), record, { store }),
          /not in the model store \(s3:\/\/models-test\/newsintel\)/,
        );
        assert.equal(await store.has(db, first.version), false);
        await Deno.writeFile(manifest, savedManifest);
        assert.deepEqual(await entries(join(root, "d")), []);
      });

      await t.step(
        "with the server down the replica keeps its model and says the store cannot be reached",
        async () => {
          const dirE = join(root, "e");
          const runtime = await createModelRuntime(db, loadConfig({ ...env, MODEL_DIR: dirE }));
          try {
            const second = await trainToyModel(db, join(root, "a"), {
              seed: 2,
              name: "toy-b",
              store,
              activate: false,
            });
            await s3.stop();
            await db.transaction((tx) =>
              activateModel(tx, { version: second.version, action: "promote", actor: "test" })
            );
            await runtime.refresh();
            assert.equal(runtime.current()?.version, first.version);
            const [problem] = runtime.problems();
            assert.equal(problem.version, second.version);
            assert.match(
              problem.error,
              /model store s3:\/\/models-test\/newsintel cannot be reached/,
            );
            assert.equal((await runtime.classify(["a late goal"])).predictions.length, 1);
            assert.deepEqual(await entries(dirE), [first.version]);
            await assert.rejects(
              () => storeMissingModels(db, join(root, "a"), { store }),
              ModelStoreError,
            );
            // A replica starting meanwhile serves what its MODEL_DIR holds.
            await db.transaction((tx) =>
              activateModel(tx, { version: first.version, action: "promote", actor: "test" })
            );
            const restarted = await createModelRuntime(
              db,
              loadConfig({ ...env, MODEL_DIR: dirE }),
            );
            assert.equal(restarted.current()?.version, first.version);
            await restarted.close();
          } finally {
            await runtime.close();
          }
        },
      );
    } finally {
      await s3.stop().catch(() => {});
      store.close?.();
      await close();
      await Deno.remove(root, { recursive: true });
      await Deno.remove(s3.directory, { recursive: true });
    }
  });
}
