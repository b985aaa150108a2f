import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { adjudicate, agreedArticleIds, claimNext, decide } from "./mod.ts";
import { freshQueue, ok } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`agreedArticleIds() (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    /** Each reviewer claims every item in turn and labels item i with `labels[reviewer][i]`. */
    const review = async (labels: Record<string, string[]>) => {
      for (const [reviewer, chosen] of Object.entries(labels)) {
        const items = await claimNext(db, reviewer, { limit: 10, order: "oldest" });
        for (const [i, item] of items.entries()) {
          ok(await decide(db, reviewer, item.id, { action: "label", label: chosen[i] }));
        }
      }
    };
    try {
      await t.step(
        "two reviewers choosing the same label agree; one alone never does",
        async () => {
          const ids = await freshQueue(testDb, 2, 2);
          await review({ ann: ["sport", "sport"], bob: ["sport", "markets"] });
          assert.deepEqual([...await agreedArticleIds(db, { minPeople: 2 })], [ids[0]]);

          const solo = await freshQueue(testDb, 1, 3);
          await review({ ann: ["sport", "markets", "science"] });
          assert.deepEqual([...await agreedArticleIds(db, { minPeople: 2 })], []);
          assert.deepEqual(
            [...await agreedArticleIds(db, { minPeople: 1 })].sort((a, b) => a - b),
            solo,
          );
        },
      );

      await t.step("an adjudicator siding with one reviewer makes two people", async () => {
        const ids = await freshQueue(testDb, 2, 1);
        await review({ ann: ["sport"], bob: ["markets"] });
        const [item] = await db.query<{ id: number }>(
          `SELECT id FROM review_items WHERE status = 'needs_adjudication'`,
        );
        ok(await adjudicate(db, "boss", Number(item.id), { action: "label", label: "markets" }));
        assert.deepEqual([...await agreedArticleIds(db, { minPeople: 2 })], ids);
        assert.deepEqual([...await agreedArticleIds(db, { minPeople: 3 })], []);
      });
    } finally {
      await testDb.close();
    }
  });
}
