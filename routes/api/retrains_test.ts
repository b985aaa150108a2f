import assert from "node:assert/strict";
import { listAccess } from "../../db/access_audit.ts";
import { activeModelVersion } from "../../db/models.ts";
import { testDatabases } from "../../testing/db/test_db.ts";
import { loadConfig } from "../../lib/config.ts";
import { toyCorpus } from "../../testing/ml/toy_corpus.ts";
import { createModelRuntime } from "../../services/model_runtime.ts";
import { createRetrainer } from "../../services/retrain.ts";
import { TOY_TRAINING, trainToyModel } from "../../testing/services/test_model.ts";
import { trainModelDir } from "../../services/training.ts";
import { form, signIn } from "../../testing/routes/console/test_helpers.ts";
import { ADMIN_KEY, postJson, testApp, withKey } from "../../testing/routes/test_app.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/models/retrain (${name})`, async (t) => {
    const { db, close } = await open();
    const modelDir = await Deno.makeTempDir({ prefix: "newsintel-retrain-api-" });
    const evalFile = `${modelDir}/eval.jsonl`;
    await Deno.writeTextFile(
      evalFile,
      toyCorpus(30, 99).map((e) => JSON.stringify({ title: e.text, label: e.label })).join("\n"),
    );
    // The candidate trains on the active model's data: a tie, which RETRAIN_MARGIN=0 promotes.
    const env = {
      MODEL_DIR: modelDir,
      RETRAIN_MARGIN: "0",
      RETRAIN_MIN_EVAL: "30",
      RETRAIN_EVAL_FILE: evalFile,
    };
    const first = await trainToyModel(db, modelDir);
    const models = await createModelRuntime(db, loadConfig(env));
    // Training waits for `release`, so a retrain stays running while the test looks.
    let release = () => {};
    let gate = Promise.resolve();
    const hold = () => gate = new Promise<void>((resolve) => release = resolve);
    const config = loadConfig(env);
    const retrain = createRetrainer({
      db,
      config,
      models,
      baseExamples: () => Promise.resolve(toyCorpus(300, 7)),
      train: async (examples, run) => {
        await gate;
        return await trainModelDir(examples, { ...TOY_TRAINING, name: run.name, modelDir });
      },
    });
    const { app } = testApp(db, env, models, retrain);
    try {
      await t.step("a reviewer's retrain is 403 and audited; no key is 401", async () => {
        const res = await app.request("/v1/models/retrain", postJson({}));
        assert.equal(res.status, 403);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        assert.equal((await res.json()).error.code, "forbidden");
        const [last] = await listAccess(db, { limit: 1 });
        assert.deepEqual([last.actor, last.action, last.outcome], [
          "alice",
          "retrainModel",
          "denied",
        ]);
        assert.equal((await app.request("/v1/models/retrain", postJson({}, null))).status, 401);
        assert.equal((await app.request("/v1/models/retrains")).status, 401);
        const list = await (await app.request("/v1/models/retrains", withKey())).json();
        assert.deepEqual(list.items, []);
      });

      await t.step("an admin starts one (202); a second start meanwhile is 409", async () => {
        hold();
        const res = await app.request("/v1/models/retrain", postJson({}, ADMIN_KEY));
        assert.equal(res.status, 202);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const { retrain: started } = await res.json();
        assert.deepEqual(
          [started.status, started.trigger, started.actor, started.activeVersion],
          ["running", "api", "ops", first.version],
        );
        const again = await app.request("/v1/models/retrain", postJson({}, ADMIN_KEY));
        assert.equal(again.status, 409);
        assert.equal((await again.json()).error.code, "retrainRunning");
        release();
        await retrain.idle();
        const res2 = await app.request("/v1/models/retrains?limit=5", withKey());
        assert.equal(res2.status, 200);
        const [done] = (await res2.json()).items;
        assert.equal(done.id, started.id);
        assert.equal(done.status, "promoted", done.error ?? done.reason ?? "");
        assert.deepEqual([done.fixedEvalSize, done.agreedEvalSize], [30, 0]);
        assert.match(done.reason, /better than the active model by 0\.0000/);
        assert.equal(await activeModelVersion(db), done.candidateVersion);
        assert.equal(models.current()?.version, done.candidateVersion, "the runtime reloaded");
      });

      await t.step("GET /v1/models/{version} still answers for a version", async () => {
        const res = await app.request(`/v1/models/${first.version}`, withKey());
        assert.equal(res.status, 200);
        assert.equal((await res.json()).version, first.version);
        const bad = await app.request("/v1/models/retrains?limit=0", withKey());
        assert.equal(bad.status, 422);
      });

      await t.step("the console retrains through a confirmation, as the console", async () => {
        const admin = await signIn(app, ADMIN_KEY);
        const ask = await app.request(
          "/models/retrain",
          form({ _csrf: admin.csrf }, { cookie: admin.cookie }),
        );
        assert.equal(ask.status, 200);
        assert.match(await ask.text(), /Retrain the model\?/);
        const go = await app.request(
          "/models/retrain",
          form({ _csrf: admin.csrf, confirm: "yes" }, { cookie: admin.cookie }),
        );
        assert.equal(go.status, 303);
        assert.match(go.headers.get("location")!, /^\/models\?done=retrain-started&v=\d+$/);
        await retrain.idle();
        const page = await (await app.request(go.headers.get("location")!, {
          headers: { cookie: admin.cookie },
        })).text();
        assert.match(page, /data-testid="retrains"/);
        assert.match(page, /ops \(console\)/);
        assert.match(page, /action="\/models\/retrain"/);

        const reviewer = await signIn(app);
        const refused = await app.request(
          "/models/retrain",
          form({ _csrf: reviewer.csrf, confirm: "yes" }, { cookie: reviewer.cookie }),
        );
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), /needs an admin key/);
        const models = await (await app.request("/models", {
          headers: { cookie: reviewer.cookie },
        })).text();
        assert.doesNotMatch(models, /action="\/models\/retrain"/);
      });
    } finally {
      await retrain.idle();
      await models.close();
      await close();
      await Deno.remove(modelDir, { recursive: true });
    }
  });
}
