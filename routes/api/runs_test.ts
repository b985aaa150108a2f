import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { testApp, withKey } from "../../testing/routes/test_app.ts";
import { seedRuns } from "../../testing/routes/api/runs_test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/runs lists, shows and compares training runs (${name})`, async (t) => {
    const { db, close } = await open();
    try {
      const { app } = testApp(db);
      const ids = await seedRuns(db);

      await t.step("every route needs a key", async () => {
        for (const path of ["/v1/runs", `/v1/runs/${ids.a}`, `/v1/runs/compare?a=1&b=2`]) {
          const res = await app.request(path);
          assert.equal(res.status, 401, path);
          assert.equal((await res.json()).error.code, "unauthorized");
        }
      });

      await t.step("GET /v1/runs lists newest first and pages with a cursor", async () => {
        const res = await app.request("/v1/runs?limit=2", withKey());
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assert.deepEqual(body.items.map((r: { id: number }) => r.id), [ids.failed, ids.b]);
        assert.equal(body.items[0].status, "failed");
        assert.match(body.items[0].error, /two distinct labels/);
        assert.equal(body.items[1].accuracy, 0.9);
        assert.equal(body.items[1].modelVersion, "v2");
        assert.equal(body.items[1].dataSize, 301);
        const next = await (await app.request(`/v1/runs?cursor=${body.nextCursor}`, withKey()))
          .json();
        assert.deepEqual(next.items.map((r: { id: number }) => r.id), [ids.a]);
        assert.equal(next.nextCursor, null);
      });

      await t.step("GET /v1/runs/{id} gives the whole run, 404 for none", async () => {
        const res = await app.request(`/v1/runs/${ids.b}`, withKey());
        assert.equal(res.status, 200);
        const run = await res.json();
        assert.equal(run.parameters.seed, 2);
        assert.equal(run.foldMetrics.length, 3);
        assert.equal(run.metrics.report.accuracy, 0.9);
        assert.equal(run.mlflowRunId, null);
        const missing = await app.request("/v1/runs/999999", withKey());
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).error.code, "runNotFound");
      });

      await t.step("GET /v1/runs/compare puts two runs side by side with b − a", async () => {
        const res = await app.request(`/v1/runs/compare?a=${ids.a}&b=${ids.b}`, withKey());
        assert.equal(res.status, 200);
        const c = await res.json();
        assert.equal(c.a.id, ids.a);
        const acc = c.metrics.find((m: { metric: string }) => m.metric === "accuracy");
        assert.equal(acc.a, 0.8);
        assert.equal(acc.b, 0.9);
        assert.ok(Math.abs(acc.diff - 0.1) < 1e-12);
        assert.deepEqual(c.confusion.labels, ["markets", "science", "sport"]);
        assert.deepEqual(c.confusion.diff, [[1, 0, -1], [-1, 2, -1], [0, 0, 0]]);
        assert.deepEqual(c.parameters, [
          { name: "seed", a: 1, b: 2 },
          { name: "learningRate", a: 0.5, b: 0.25 },
        ]);
        const sport = c.perClassF1.find((r: { label: string }) => r.label === "sport");
        assert.ok(Math.abs(sport.diff - 0.09) < 1e-12);

        const withFailed = await (await app.request(
          `/v1/runs/compare?a=${ids.a}&b=${ids.failed}`,
          withKey(),
        )).json();
        assert.equal(withFailed.confusion.diff, null);
      });

      await t.step("bad ids are 422, unknown ones 404", async () => {
        for (const q of ["a=1", "a=x&b=1", "a=0&b=1", "a=1&b=1e99", "a=-1&b=2"]) {
          const res = await app.request(`/v1/runs/compare?${q}`, withKey());
          assert.equal(res.status, 422, q);
          assert.equal((await res.json()).error.code, "validationFailed");
        }
        for (const q of ["limit=0", "limit=201", "cursor=abc"]) {
          assert.equal((await app.request(`/v1/runs?${q}`, withKey())).status, 422, q);
        }
        assert.equal((await app.request("/v1/runs/abc", withKey())).status, 422);
        const res = await app.request(`/v1/runs/compare?a=${ids.a}&b=424242`, withKey());
        assert.equal(res.status, 404);
        assert.match((await res.json()).error.message, /No training run 424242/);
      });
    } finally {
      await close();
    }
  });
}
