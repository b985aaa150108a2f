import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { bulkAccept } from "./bulk.ts";
import { claimNext } from "./claim.ts";
import { decide } from "./decide.ts";
import { getReviewItem } from "./items.ts";
import { listAudit, listReviewItems } from "./read.ts";
import { freshQueue, LABELS, MODEL, ok } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review bulk accept (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      await t.step("bulkAccept() accepts matching open items, audited one by one", async () => {
        await freshQueue(testDb, 1, 12);
        const [held] = await claimNext(db, "bob", { filters: { label: "sport" } });
        const ids = await bulkAccept(db, "ann", { label: "sport", minScore: 0.5 }, { limit: 100 });
        const sport = await listReviewItems(db, { label: "sport" }, { limit: 100 });
        const expected = sport.filter((i) => i.score >= 0.5 && i.id !== held.id).map((i) => i.id);
        assert.deepEqual(ids, expected.sort((a, b) => a - b));
        for (const id of ids) {
          const item = (await getReviewItem(db, id))!;
          assert.deepEqual([item.status, item.finalLabel], ["done", "sport"]);
        }
        assert.equal((await getReviewItem(db, held.id))!.status, "claimed", "bob's claim is kept");
        const audit = await listAudit(db, { event: "bulk_accepted", limit: 100 });
        assert.deepEqual(audit.map((e) => e.itemId).sort((a, b) => a - b), ids);
        assert.ok(audit.every((e) => e.actor === "ann" && e.before?.status === "queued"));
        assert.deepEqual(
          await bulkAccept(db, "ann", { label: "sport", minScore: 0.5 }, { limit: 100 }),
          [],
        );
      });

      await t.step(
        "bulk accept with overlap counts as one decision and can cause adjudication",
        async () => {
          await freshQueue(testDb, 2, 3);
          const [a] = await claimNext(db, "bob");
          const other = LABELS.find((l) => l !== a.predictedLabel)!;
          ok(await decide(db, "bob", a.id, { action: "label", label: other }));
          const ids = await bulkAccept(db, "ann", { modelVersion: MODEL }, { limit: 10 });
          assert.equal(ids.length, 3);
          const statuses = await Promise.all(
            ids.map(async (id) => (await getReviewItem(db, id))!.status),
          );
          for (const [i, id] of ids.entries()) {
            assert.equal(statuses[i], id === a.id ? "needs_adjudication" : "labelled");
          }
        },
      );
    } finally {
      await testDb.close();
    }
  });
}
