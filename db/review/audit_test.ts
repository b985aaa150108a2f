import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { adjudicate } from "./bulk.ts";
import { claimNext } from "./claim.ts";
import { decide } from "./decide.ts";
import { listAudit } from "./read.ts";
import { freshQueue, ok } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review audit log (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      await t.step(
        "every change is in the audit log, with before, after and why queued",
        async () => {
          await freshQueue(testDb, 2, 2);
          const [a] = await claimNext(db, "ann");
          ok(await decide(db, "ann", a.id, { action: "accept" }));
          await claimNext(db, "bob");
          ok(await decide(db, "bob", a.id, { action: "flag", flagReason: "duplicate" }));
          ok(await adjudicate(db, "cy", a.id, { action: "accept", note: "fine" }));
          const log = (await listAudit(db, { itemId: a.id, limit: 50 })).reverse();
          assert.deepEqual(log.map((e) => [e.event, e.actor]), [
            ["queued", "router"],
            ["decided", "ann"],
            ["decided", "bob"],
            ["adjudicated", "cy"],
          ]);
          assert.ok(log.every((e) => e.reasons.includes("low_confidence")));
          assert.deepEqual(log[1].before, {
            status: "claimed",
            labelCount: 0,
            finalLabel: null,
            finalFlag: null,
            leaseHolder: "ann",
          });
          assert.equal(log[1].after.status, "labelled");
          assert.equal(log[2].flagReason, "duplicate");
          assert.equal(log[2].after.status, "needs_adjudication");
          assert.deepEqual([log[3].before!.status, log[3].after.status, log[3].note], [
            "needs_adjudication",
            "done",
            "fine",
          ]);
          // Each entry's before is the previous entry's after: nothing changed unrecorded.
          for (let i = 2; i < log.length; i++) {
            assert.equal(
              log[i].before!.labelCount,
              (log[i - 1].after as { labelCount: number }).labelCount,
            );
          }
        },
      );

      await t.step("the audit log refuses UPDATE and DELETE", async () => {
        await freshQueue(testDb, 1, 1);
        await assert.rejects(
          () => db.query("UPDATE review_audit SET actor = 'mallory'"),
          /append-only/,
        );
        await assert.rejects(() => db.query("DELETE FROM review_audit"), /append-only/);
        assert.equal((await listAudit(db, { limit: 10 }))[0].actor, "router");
      });
    } finally {
      await testDb.close();
    }
  });
}
