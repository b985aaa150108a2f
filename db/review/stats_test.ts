import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { claimNext } from "./claim.ts";
import { decide } from "./decide.ts";
import { newLabelsSinceTraining, reviewCounts, reviewedLabels } from "./stats.ts";
import { activateTestModel, freshQueue, ok } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review figures (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      await t.step("reviewedLabels() gives the latest reviewed label per article", async () => {
        await freshQueue(testDb, 1, 3);
        const items = await claimNext(db, "ann", { limit: 3, order: "oldest" });
        ok(await decide(db, "ann", items[0].id, { action: "label", label: "science" }));
        ok(await decide(db, "ann", items[1].id, { action: "accept" }));
        ok(await decide(db, "ann", items[2].id, { action: "flag", flagReason: "not_news" }));
        const reviewed = await reviewedLabels(db);
        assert.deepEqual(
          reviewed.map((r) => [r.articleId, r.label]),
          [[items[0].articleId, "science"], [items[1].articleId, items[1].predictedLabel]],
        );
        assert.match(reviewed[0].title, /title/);
      });

      await t.step(
        "newLabelsSinceTraining() counts labels newer than the active model",
        async () => {
          await freshQueue(testDb, 1, 3);
          await activateTestModel(db);
          await db.query("UPDATE models SET created_at = now() - interval '1 hour'");
          const items = await claimNext(db, "ann", { limit: 3 });
          ok(await decide(db, "ann", items[0].id, { action: "accept" }));
          ok(await decide(db, "ann", items[1].id, { action: "accept" }));
          await db.query(
            "UPDATE review_items SET decided_at = now() - interval '2 hours' WHERE id = $1",
            [items[1].id],
          );
          const figures = await newLabelsSinceTraining(db);
          assert.equal(figures.activeModel, "test-model-v1");
          assert.equal(figures.newReviewedLabels, 1);
          assert.equal(figures.totalReviewedLabels, 2);
        },
      );

      await t.step("reviewCounts() counts by status, reason, label and reviewer", async () => {
        await freshQueue(testDb, 1, 6);
        const items = await claimNext(db, "ann", { limit: 3 });
        ok(await decide(db, "ann", items[0].id, { action: "accept" }));
        ok(await decide(db, "ann", items[1].id, { action: "skip" }));
        await claimNext(db, "bob");
        const counts = await reviewCounts(db);
        assert.equal(counts.total, 6);
        assert.deepEqual(
          [
            counts.byStatus.queued,
            counts.byStatus.claimed,
            counts.byStatus.done,
            counts.byStatus.skipped,
          ],
          [2, 2, 1, 1],
        );
        assert.deepEqual(counts.byReason, { low_confidence: 6 });
        assert.equal(counts.byPredictedLabel.reduce((s, l) => s + l.total, 0), 6);
        const ann = counts.byReviewer.find((r) => r.reviewer === "ann")!;
        assert.deepEqual(
          [ann.decisions, ann.accept, ann.skip, ann.matchingOutcome, ann.onFinished],
          [2, 1, 1, 2, 2],
        );
      });
    } finally {
      await testDb.close();
    }
  });
}
