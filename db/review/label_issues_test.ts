import assert from "node:assert/strict";
import { countGivenLabels, labelledArticles, storeGivenLabels } from "../given_labels.ts";
import { testDatabases } from "../../testing/db/test_db.ts";
import { claimNext } from "./claim.ts";
import { decide } from "./decide.ts";
import { enqueueLabelIssues, type NewLabelIssue } from "./label_issues.ts";
import { getReviewItem, listAudit, listReviewItems, reviewedLabels } from "./mod.ts";
import {
  freshQueue,
  LABELS,
  MODEL,
  ok,
  registerTestModel,
  seedQueue,
} from "../../testing/db/review/test_helpers.ts";

const issueFor = (articleId: number, given = "sport", suggested = "markets"): NewLabelIssue => ({
  articleId,
  modelVersion: MODEL,
  given,
  suggested,
  score: 0.12,
  scores: { markets: 0.7, science: 0.2, sport: 0.1 },
  requiredLabels: 1,
});

for (const { name, open } of testDatabases()) {
  Deno.test(`label issues in the review queue (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      await t.step("storeGivenLabels() keeps one label per article, the latest", async () => {
        await testDb.reset();
        await registerTestModel(db);
        const [a, b] = await seedQueue(db, 2, { policy: { ...QUEUE_ALL_OFF } });
        assert.equal(
          await storeGivenLabels(db, [
            { articleId: a, label: "sport", source: "x.jsonl" },
            { articleId: b, label: "science", source: "x.jsonl" },
            { articleId: b, label: "markets", source: "x.jsonl" },
          ]),
          2,
        );
        assert.equal(
          await storeGivenLabels(db, [{ articleId: a, label: "sport", source: "x.jsonl" }]),
          0,
          "an unchanged label is not written again",
        );
        assert.equal(await countGivenLabels(db), 2);
        const rows = await labelledArticles(db, { limit: 10 });
        assert.deepEqual(rows.map((r) => [r.articleId, r.label]), [[a, "sport"], [b, "markets"]]);
        assert.deepEqual(
          (await labelledArticles(db, { articleIds: [b], limit: 10 })).map((r) => r.articleId),
          [b],
        );
        assert.equal((await labelledArticles(db, { limit: 1 })).length, 1, "the limit holds");
      });

      await t.step(
        "enqueueLabelIssues() queues with the suggestion beside the given label, once",
        async () => {
          await testDb.reset();
          await registerTestModel(db);
          const [a, b] = await seedQueue(db, 2, { policy: { ...QUEUE_ALL_OFF } });
          const first = await enqueueLabelIssues(db, [issueFor(a), issueFor(b)], {
            actor: "seed",
          });
          assert.equal(first.queued.length, 2);
          assert.deepEqual([first.attached, first.skipped], [[], 0]);
          const item = (await getReviewItem(db, first.queued[0]))!;
          assert.deepEqual(item.reasons, ["label_issue"]);
          assert.deepEqual(item.labelIssue, { given: "sport", suggested: "markets", score: 0.12 });
          assert.equal(item.predictedLabel, "markets");
          assert.equal(item.score, 0.7);
          assert.ok(Math.abs(item.margin - 0.5) < 1e-9);
          assert.deepEqual(item.labels, LABELS);
          const audit = await listAudit(db, { itemId: item.id, limit: 10 });
          assert.deepEqual(audit.map((e) => [e.event, e.actor]), [["queued", "seed"]]);

          // Again, and again after a decision: nothing new.
          assert.deepEqual(
            await enqueueLabelIssues(db, [issueFor(a), issueFor(b)], {
              actor: "seed",
            }),
            { queued: [], attached: [], skipped: 2 },
          );
          const [claimed] = await claimNext(db, "ann", { filters: { reason: "label_issue" } });
          ok(await decide(db, "ann", claimed.id, { action: "label", label: "sport" }));
          assert.deepEqual(
            (await enqueueLabelIssues(db, [issueFor(claimed.articleId)], { actor: "seed" }))
              .queued,
            [],
          );
          // The decision is a reviewed label, which training merges.
          const reviewed = await reviewedLabels(db);
          assert.deepEqual(
            reviewed.map((r) => [r.articleId, r.label]),
            [[claimed.articleId, "sport"]],
          );
        },
      );

      await t.step("an open item for another reason gets the suggestion added", async () => {
        const [id] = await freshQueue(testDb, 1, 1);
        const [open] = await listReviewItems(db, {}, { limit: 10 });
        const r = await enqueueLabelIssues(db, [issueFor(id), issueFor(id)], { actor: "seed" });
        assert.deepEqual(r, { queued: [], attached: [open.id], skipped: 0 });
        const items = await listReviewItems(db, {}, { limit: 10 });
        assert.deepEqual(items.map((i) => [i.id, i.reasons, i.labelIssue, i.predictedLabel]), [
          [open.id, ["low_confidence", "label_issue"], {
            given: "sport",
            suggested: "markets",
            score: 0.12,
          }, open.predictedLabel],
        ]);
        const audit = await listAudit(db, { itemId: open.id, limit: 10 });
        assert.equal(audit.length, 1, "only its own queueing is in the audit log");
        assert.deepEqual(
          await enqueueLabelIssues(db, [issueFor(id)], { actor: "seed" }),
          { queued: [], attached: [], skipped: 1 },
        );
      });

      await t.step("the database refuses a label issue without its suggestion", async () => {
        const [id] = await freshQueue(testDb, 1, 1);
        await assert.rejects(
          db.query(
            `INSERT INTO review_items (article_id, model_version, predicted_label, score, scores,
                                       margin, reasons, required_labels)
             VALUES ($1, $2, 'sport', 0.5, '{}', 0.1, ARRAY['label_issue'], 1)`,
            [id, MODEL],
          ),
        );
      });
    } finally {
      await testDb.close();
    }
  });
}

/** Queues nothing at ingestion: the threshold no score is under. */
const QUEUE_ALL_OFF = { threshold: 0, auditRate: 0, overlap: 1, languages: [] };
