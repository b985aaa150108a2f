import assert from "node:assert/strict";
import {
  finishRetrain,
  getRetrain,
  labelsSinceRetrain,
  listRetrains,
  renewRetrain,
  RETRAIN_STALE_SECONDS,
  startRetrain,
} from "./retrains.ts";
import { testDatabases } from "../testing/db/test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`retrains table (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    const start = () => startRetrain(db, { trigger: "api", actor: "ops", activeVersion: null });
    try {
      await t.step(
        "startRetrain() admits one running retrain; finishing frees the slot",
        async () => {
          await testDb.reset();
          const first = await start();
          assert.equal(first.kind, "started");
          const id = first.kind === "started" ? first.retrain.id : 0;
          const second = await start();
          assert.equal(second.kind, "conflict");
          assert.equal(second.kind === "conflict" && second.running.id, id);
          const concurrent = await Promise.all([start(), start()]);
          assert.deepEqual(concurrent.map((o) => o.kind), ["conflict", "conflict"]);
          const done = await finishRetrain(db, id, { status: "failed", error: "boom" });
          assert.deepEqual([done?.status, done?.error], ["failed", "boom"]);
          assert.equal(await finishRetrain(db, id, { status: "promoted" }), null, "only once");
          assert.equal((await start()).kind, "started");
        },
      );

      await t.step("concurrent starts on an idle table: exactly one wins", async () => {
        await testDb.reset();
        const outcomes = await Promise.all(Array.from({ length: 4 }, () => start()));
        assert.equal(outcomes.filter((o) => o.kind === "started").length, 1);
        assert.equal((await listRetrains(db)).length, 1);
      });

      await t.step(
        "a running retrain without a heartbeat is failed by the next start",
        async () => {
          await testDb.reset();
          const first = await start();
          const id = first.kind === "started" ? first.retrain.id : 0;
          assert.equal(await renewRetrain(db, id), true);
          await db.query(
            `UPDATE retrains SET heartbeat_at = heartbeat_at - make_interval(secs => $1)`,
            [RETRAIN_STALE_SECONDS + 5],
          );
          const next = await start();
          assert.equal(next.kind, "started");
          const old = await getRetrain(db, id);
          assert.equal(old?.status, "failed");
          assert.match(old?.error ?? "", /abandoned/);
          assert.equal(await renewRetrain(db, id), false);
        },
      );

      await t.step(
        "a promoted retrain needs its candidate; the check refuses otherwise",
        async () => {
          await testDb.reset();
          const first = await start();
          const id = first.kind === "started" ? first.retrain.id : 0;
          await assert.rejects(finishRetrain(db, id, { status: "promoted" }));
          assert.equal((await getRetrain(db, id))?.status, "running");
        },
      );

      await t.step("labelsSinceRetrain() counts nothing on an empty queue", async () => {
        await testDb.reset();
        assert.equal(await labelsSinceRetrain(db), 0);
      });
    } finally {
      await testDb.close();
    }
  });
}
