import assert from "node:assert/strict";
import { listAccess, pruneAccessAudit, recordAccess } from "./access_audit.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import type { Queryable } from "./mod.ts";

/** Stores an entry made `daysAgo` days ago. */
async function entryAt(db: Queryable, target: string, daysAgo: number): Promise<void> {
  await db.query(
    `INSERT INTO access_audit (actor, action, target, outcome, at)
     VALUES ('alice', 'promoteModel', $1, 'denied', now() - make_interval(days => $2))`,
    [target, daysAgo],
  );
}

for (const { name, open } of testDatabases()) {
  Deno.test(`pruneAccessAudit() deletes entries past the retention, in bounded batches (${name})`, async () => {
    const { db, close } = await open();
    try {
      for (let i = 0; i < 5; i++) await entryAt(db, `old-${i}`, 100 + i);
      await entryAt(db, "kept-89", 89);
      await recordAccess(db, {
        actor: "bob",
        action: "bulkAccept",
        target: null,
        outcome: "allowed",
        requestId: "r1",
      });
      // Two batches of two at most: four of the five old entries go in this run.
      assert.equal(await pruneAccessAudit(db, { days: 90, batch: 2, maxBatches: 2 }), 4);
      assert.equal(await pruneAccessAudit(db, { days: 90, batch: 2, maxBatches: 2 }), 1);
      assert.equal(await pruneAccessAudit(db, { days: 90 }), 0);
      const left = await listAccess(db, { limit: 10 });
      assert.deepEqual(left.map((r) => r.target), [null, "kept-89"]);
      assert.equal(await pruneAccessAudit(db, { days: 30 }), 1);
    } finally {
      await close();
    }
  });

  Deno.test(`the access audit refuses updates, and deletes of entries younger than a day (${name})`, async () => {
    const { db, close } = await open();
    try {
      await entryAt(db, "recent", 0);
      await entryAt(db, "yesterday", 2);
      await assert.rejects(
        db.query("DELETE FROM access_audit WHERE target = 'recent'"),
        /append-only/,
      );
      await assert.rejects(db.query("UPDATE access_audit SET actor = 'eve'"), /append-only/);
      await db.query("DELETE FROM access_audit WHERE target = 'yesterday'");
      assert.deepEqual((await listAccess(db, { limit: 10 })).map((r) => r.target), ["recent"]);
    } finally {
      await close();
    }
  });
}
