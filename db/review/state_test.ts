import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { claimNext } from "./claim.ts";
import { getReviewItem } from "./items.ts";
import type { NotHeld } from "./outcomes.ts";
import { transact } from "./state.ts";
import { freshQueue } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review state machine transactions (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      const [item] = await (async () => {
        await freshQueue(testDb, 1, 1);
        return await claimNext(db, "ann");
      })();
      const touch = (tx: { query(sql: string, p: unknown[]): Promise<unknown> }) =>
        tx.query("UPDATE review_items SET label_count = 7 WHERE id = $1", [item.id]);

      await t.step("transact() rolls back writes made before a refusal", async () => {
        const refusal: NotHeld = { kind: "notHeld", id: item.id, heldByOther: true };
        const outcome = await transact<{ kind: "ok" } | NotHeld>(db, async (tx) => {
          await touch(tx);
          return refusal;
        });
        assert.deepEqual(outcome, refusal);
        assert.equal((await getReviewItem(db, item.id))!.labelCount, 0);
      });

      await t.step("transact() rethrows errors and rolls back", async () => {
        await assert.rejects(
          () =>
            transact(db, async (tx) => {
              await touch(tx);
              throw new Error("boom");
            }),
          /boom/,
        );
        assert.equal((await getReviewItem(db, item.id))!.labelCount, 0);
      });

      await t.step("transact() commits an ok outcome", async () => {
        const outcome = await transact(db, async (tx) => {
          await touch(tx);
          return { kind: "ok" } as const;
        });
        assert.deepEqual(outcome, { kind: "ok" });
        assert.equal((await getReviewItem(db, item.id))!.labelCount, 7);
      });
    } finally {
      await testDb.close();
    }
  });
}
