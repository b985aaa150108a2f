import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { loadConfig } from "../../lib/config.ts";
import { createModelRuntime } from "../../services/model_runtime.ts";
import { trainToyModel } from "../../testing/services/test_model.ts";
import { ADMIN_KEY, postJson, testApp, withKey } from "../../testing/routes/test_app.ts";
import { listAccess } from "../../db/access_audit.ts";
import { reviewCounts } from "../../db/review/mod.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/models promotion and rollback (${name})`, async (t) => {
    const { db, close } = await open();
    const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
    const config = { MODEL_DIR: modelDir };
    const first = await trainToyModel(db, modelDir, { seed: 1, name: "toy-a" });
    const second = await trainToyModel(db, modelDir, { seed: 2, name: "toy-b", activate: false });
    // Two replicas sharing one database, each with its own loaded model.
    const runtimeA = await createModelRuntime(db, loadConfig(config));
    const runtimeB = await createModelRuntime(db, loadConfig(config));
    const a = testApp(db, config, runtimeA).app;
    const b = testApp(db, config, runtimeB).app;
    try {
      await t.step("GET /v1/models lists both, the first active", async () => {
        assert.equal((await a.request("/v1/models")).status, 401);
        const res = await a.request("/v1/models", withKey());
        assert.equal(res.status, 200);
        const body = await res.json();
        const byVersion = new Map(body.items.map((m: { version: string }) => [m.version, m]));
        assert.equal((byVersion.get(first.version) as { active: boolean }).active, true);
        assert.equal((byVersion.get(second.version) as { active: boolean }).active, false);
        assert.equal(body.history[0].version, first.version);
      });

      await t.step("promotion needs a key and an existing version", async () => {
        assert.equal(
          (await a.request(`/v1/models/${second.version}/promote`, postJson({}, null))).status,
          401,
        );
        const missing = await a.request("/v1/models/nope/promote", postJson({}, ADMIN_KEY));
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).error.code, "modelNotFound");
      });

      await t.step(
        "a reviewer's promotion and rollback are 403 forbidden, and audited as denied",
        async () => {
          const res = await a.request(`/v1/models/${second.version}/promote`, postJson({}));
          assert.equal(res.status, 403);
          assert.match(res.headers.get("content-type")!, /application\/json/);
          const body = await res.json();
          assert.equal(body.error.code, "forbidden");
          assert.equal(body.error.requestId, res.headers.get("x-request-id"));
          const back = await a.request("/v1/models/rollback", postJson({}));
          assert.equal(back.status, 403);
          assert.equal(runtimeA.current()?.version, first.version);
          const rows = await listAccess(db, { limit: 10 });
          assert.deepEqual(
            rows.slice(0, 2).map((r) => [r.actor, r.action, r.target, r.outcome]),
            [
              ["alice", "rollbackModel", null, "denied"],
              ["alice", "promoteModel", second.version, "denied"],
            ],
          );
          assert.equal(rows[1].requestId, res.headers.get("x-request-id"));
        },
      );

      await t.step("the access audit is for admin keys", async () => {
        assert.equal((await a.request("/v1/access-audit", withKey())).status, 403);
        const res = await a.request("/v1/access-audit?outcome=denied", withKey(ADMIN_KEY));
        assert.equal(res.status, 200);
        const { items } = await res.json();
        assert.ok(items.length >= 2);
        assert.ok(items.every((r: { outcome: string }) => r.outcome === "denied"));
      });

      await t.step(
        "an admin's promotion on one replica is served by the other after its refresh",
        async () => {
          const res = await a.request(
            `/v1/models/${second.version}/promote`,
            postJson({}, ADMIN_KEY),
          );
          assert.equal(res.status, 200);
          assert.equal((await res.json()).serving, true);
          const before = await (await b.request("/v1/classify", postJson({ text: "goal" }))).json();
          assert.equal(before.model.version, first.version);
          await runtimeB.refresh(); // what its watch timer does every few seconds
          const after = await (await b.request("/v1/classify", postJson({ text: "goal" }))).json();
          assert.equal(after.model.version, second.version);
          const history = (await (await b.request("/v1/models", withKey())).json()).history;
          assert.deepEqual([history[0].action, history[0].actor], ["promote", "ops"]);
          const [audited] = await listAccess(db, { limit: 1 });
          assert.deepEqual(
            [audited.actor, audited.action, audited.target, audited.outcome],
            ["ops", "promoteModel", second.version, "allowed"],
          );
        },
      );

      await t.step("requests running during a swap all succeed", async () => {
        const calls = Array.from(
          { length: 40 },
          (_, i) => b.request("/v1/classify", postJson({ text: `match ${i} goal league` })),
        );
        const swap = Promise.resolve(
          a.request(`/v1/models/${first.version}/promote`, postJson({}, ADMIN_KEY)),
        ).then(() => runtimeB.refresh());
        const results = await Promise.all(calls);
        await swap;
        assert.ok(results.every((r) => r.status === 200));
        assert.equal(runtimeB.current()?.version, first.version);
      });

      await t.step(
        "a shadow model classifies beside the active one and disagreements are queued",
        async () => {
          const strict =
            testApp(db, { ...config, REVIEW_THRESHOLD: "0", REVIEW_AUDIT_RATE: "0" }, runtimeA).app;
          const put = await strict.request("/v1/review/shadow", {
            method: "PUT",
            headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY },
            body: JSON.stringify({ version: second.version }),
          });
          assert.equal(put.status, 200, await put.clone().text());
          const res = await strict.request(
            "/v1/articles",
            postJson({
              articles: Array.from(
                { length: 12 },
                (_, i) => ({ title: `Shadowed ${i}`, body: `goal shares telescope ${i}` }),
              ),
            }),
          );
          assert.equal(res.status, 201);
          const stats = await (await strict.request("/v1/review/shadow", withKey())).json();
          const row = stats.agreement.find((a: { shadowVersion: string }) =>
            a.shadowVersion === second.version
          );
          assert.equal(row.compared, 12);
          assert.equal(row.activeVersion, runtimeA.current()?.version);
          const queued = (await reviewCounts(db)).byReason.shadow_disagreement ?? 0;
          assert.equal(queued, 12 - row.agreeing);
          await strict.request("/v1/review/shadow", {
            method: "DELETE",
            headers: { "x-api-key": ADMIN_KEY },
          });
        },
      );

      await t.step("rollback returns to the previously active model", async () => {
        const res = await a.request("/v1/models/rollback", postJson({}, ADMIN_KEY));
        assert.equal(res.status, 200);
        assert.equal((await res.json()).version, second.version);
        assert.equal(runtimeA.current()?.version, second.version);
      });
    } finally {
      await runtimeA.close();
      await runtimeB.close();
      await close();
      await Deno.remove(modelDir, { recursive: true });
    }
  });
}
