import assert from "node:assert/strict";
import { join } from "node:path";
import { activationHistory, listModels } from "../db/models.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { ensureActiveModel } from "./active_model.ts";
import { createModelRuntime } from "./model_runtime.ts";
import { trainToyModel } from "../testing/services/test_model.ts";

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
