import assert from "node:assert/strict";
import { AppError } from "../../lib/errors.ts";
import { openPostgres } from "../postgres.ts";
import {
  adjudicate,
  bulkAccept,
  claimNext,
  decide,
  getReviewItem,
  heldBy,
  releaseItem,
  undoLast,
} from "./state.ts";
import { itemLabels, listAudit, listReviewItems } from "./read.ts";
import { newLabelsSinceTraining, reviewCounts, reviewedLabels } from "./stats.ts";
import {
  activateTestModel,
  expireLeases,
  LABELS,
  MODEL,
  QUEUE_ALL,
  registerTestModel,
  seedQueue,
} from "./test_helpers.ts";
import { testDatabases } from "../test_db.ts";

/** Asserts `fn` rejects with an AppError of this status and code. */
async function rejectsWith(fn: () => Promise<unknown>, status: number, code: string) {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    return true;
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`review queue SQL (${name})`, async (t) => {
    const testDb = await open();
    const { db, reset } = testDb;
    const fresh = async (overlap = 1, n = 6) => {
      await reset();
      await registerTestModel(db);
      return await seedQueue(db, n, { policy: { ...QUEUE_ALL, overlap } });
    };
    try {
      await t.step(
        "claimNext() gives the smallest margin first and holds it on a lease",
        async () => {
          await fresh(1, 10);
          const [first] = await claimNext(db, "ann");
          const all = await listReviewItems(db, {}, { limit: 100 });
          const margins = all.map((i) => i.margin);
          assert.deepEqual(margins, [...margins].sort((a, b) => a - b));
          assert.equal(first.id, all[0].id);
          assert.equal(first.status, "claimed");
          assert.equal(first.leaseHolder, "ann");
          assert.ok(Date.parse(first.leaseExpiresAt!) > Date.now() + 200_000);
          assert.equal(typeof first.article.body, "string");
          assert.deepEqual(first.labels, LABELS);
        },
      );

      await t.step("claimNext() skips items claimed by another reviewer", async () => {
        await fresh(1, 4);
        const a = await claimNext(db, "ann", { limit: 2 });
        const b = await claimNext(db, "bob", { limit: 10 });
        assert.equal(a.length, 2);
        assert.equal(b.length, 2);
        assert.equal(new Set([...a, ...b].map((i) => i.id)).size, 4);
        assert.deepEqual(await claimNext(db, "cy"), []);
        // The same reviewer in a second tab gets other items too, never the held ones.
        assert.deepEqual(await claimNext(db, "ann"), []);
        assert.deepEqual(
          (await heldBy(db, "ann")).map((i) => i.id).sort(),
          a.map((i) => i.id).sort(),
        );
      });

      await t.step("claimNext() applies filters and order", async () => {
        await fresh(1, 12);
        const sport = await claimNext(db, "ann", { limit: 50, filters: { label: "sport" } });
        assert.ok(sport.length > 0 && sport.every((i) => i.predictedLabel === "sport"));
        const newest = await claimNext(db, "bob", { order: "newest", filters: { source: "wire" } });
        const open = await listReviewItems(db, { status: "queued", source: "wire" }, {
          order: "newest",
          limit: 1,
        });
        assert.ok(newest[0].id > open[0].id);
        assert.equal(newest[0].article.source, "wire");
        const confident = await claimNext(db, "cy", { limit: 50, filters: { minScore: 0.8 } });
        assert.ok(confident.every((i) => i.score >= 0.8));
      });

      await t.step("an expired lease returns the item to the queue", async () => {
        await fresh(1, 1);
        const [item] = await claimNext(db, "ann");
        assert.deepEqual(await claimNext(db, "bob"), []);
        await expireLeases(db, item.id);
        assert.equal((await getReviewItem(db, item.id))!.status, "queued");
        assert.equal((await reviewCounts(db)).byStatus.queued, 1);
        const [again] = await claimNext(db, "bob");
        assert.equal(again.id, item.id);
        assert.equal(again.leaseHolder, "bob");
        // ann's decision on it now is refused: it is bob's.
        await rejectsWith(
          () => decide(db, "ann", item.id, { action: "accept" }),
          409,
          "itemNotHeld",
        );
      });

      await t.step("deciding after your own lease expired is a 409 that says so", async () => {
        await fresh(1, 1);
        const [item] = await claimNext(db, "ann");
        await expireLeases(db, item.id);
        await assert.rejects(
          () => decide(db, "ann", item.id, { action: "accept" }),
          (err: AppError) =>
            err.status === 409 && err.code === "leaseExpired" &&
            /lease on review item \d+ expired at .*claim it again/.test(err.message),
        );
        assert.equal((await itemLabels(db, item.id)).length, 0);
      });

      await t.step(
        "decide() refuses unknown items, labels outside the model, unheld items",
        async () => {
          await fresh(1, 2);
          const [item] = await claimNext(db, "ann");
          await rejectsWith(
            () => decide(db, "ann", 999_999, { action: "accept" }),
            404,
            "reviewItemNotFound",
          );
          await rejectsWith(
            () => decide(db, "ann", item.id, { action: "label", label: "cooking" }),
            422,
            "unknownLabel",
          );
          await rejectsWith(
            () => decide(db, "ann", item.id, { action: "flag" }),
            422,
            "flagReasonRequired",
          );
          await rejectsWith(
            () => decide(db, "bob", item.id, { action: "accept" }),
            409,
            "itemNotHeld",
          );
          const other = (await listReviewItems(db, { status: "queued" }, { limit: 1 }))[0];
          await rejectsWith(
            () => decide(db, "ann", other.id, { action: "accept" }),
            409,
            "itemNotHeld",
          );
          const done = await decide(db, "ann", item.id, { action: "label", label: "science" });
          assert.equal(done.status, "done");
          assert.equal(done.finalLabel, "science");
          assert.equal(done.leaseHolder, null);
          await rejectsWith(
            () => decide(db, "ann", item.id, { action: "accept" }),
            409,
            "alreadyDecided",
          );
        },
      );

      await t.step("accept, skip and flag finish a single-overlap item", async () => {
        await fresh(1, 3);
        const items = await claimNext(db, "ann", { limit: 3 });
        const accepted = await decide(db, "ann", items[0].id, { action: "accept" });
        assert.deepEqual([accepted.status, accepted.finalLabel], ["done", items[0].predictedLabel]);
        const skipped = await decide(db, "ann", items[1].id, { action: "skip" });
        assert.deepEqual([skipped.status, skipped.finalLabel], ["skipped", null]);
        const flagged = await decide(db, "ann", items[2].id, {
          action: "flag",
          flagReason: "not_news",
          note: "an advert",
        });
        assert.deepEqual([flagged.status, flagged.finalFlag], ["flagged", "not_news"]);
      });

      await t.step(
        "with overlap 2, agreeing labels finish the item and a reviewer never sees it twice",
        async () => {
          await fresh(2, 1);
          const [a] = await claimNext(db, "ann");
          const after = await decide(db, "ann", a.id, { action: "label", label: "sport" });
          assert.deepEqual([after.status, after.labelCount], ["labelled", 1]);
          assert.deepEqual(await claimNext(db, "ann"), [], "ann already labelled it");
          const [b] = await claimNext(db, "bob");
          assert.equal(b.id, a.id);
          const done = await decide(db, "bob", b.id, { action: "label", label: "sport" });
          assert.deepEqual([done.status, done.finalLabel, done.labelCount], ["done", "sport", 2]);
          assert.deepEqual(await claimNext(db, "cy"), []);
        },
      );

      await t.step(
        "with overlap 2, disagreement goes to adjudication, which settles it",
        async () => {
          await fresh(2, 1);
          const [a] = await claimNext(db, "ann");
          await decide(db, "ann", a.id, { action: "accept" });
          await claimNext(db, "bob");
          const other = LABELS.find((l) => l !== a.predictedLabel)!;
          const disputed = await decide(db, "bob", a.id, { action: "label", label: other });
          assert.equal(disputed.status, "needs_adjudication");
          assert.equal(disputed.finalLabel, null);
          await rejectsWith(
            () => adjudicate(db, "cy", a.id, { action: "label", label: "nope" }),
            422,
            "unknownLabel",
          );
          const settled = await adjudicate(db, "cy", a.id, { action: "label", label: other });
          assert.deepEqual([settled.status, settled.finalLabel, settled.adjudicatedBy], [
            "done",
            other,
            "cy",
          ]);
          await rejectsWith(
            () => adjudicate(db, "cy", a.id, { action: "accept" }),
            409,
            "notAwaitingAdjudication",
          );
          // Once adjudicated, the reviewers' decisions can no longer be undone.
          await rejectsWith(() => undoLast(db, "bob"), 409, "alreadyAdjudicated");
        },
      );

      await t.step(
        "undoLast() takes back the last decision, leases the item back, and audits it",
        async () => {
          await fresh(1, 2);
          await rejectsWith(() => undoLast(db, "ann"), 409, "nothingToUndo");
          const [x, y] = await claimNext(db, "ann", { limit: 2 });
          await decide(db, "ann", x.id, { action: "accept" });
          await decide(db, "ann", y.id, { action: "skip" });
          const undone = await undoLast(db, "ann");
          assert.equal(undone.item.id, y.id);
          assert.deepEqual(undone.undone, { action: "skip", label: null, flagReason: null });
          assert.deepEqual([undone.item.status, undone.item.leaseHolder], ["claimed", "ann"]);
          const redone = await decide(db, "ann", y.id, { action: "label", label: "markets" });
          assert.equal(redone.finalLabel, "markets");
          const labels = await itemLabels(db, y.id);
          assert.deepEqual(labels.map((l) => [l.action, l.retractedAt === null]), [
            ["skip", false],
            ["label", true],
          ]);
          const events = (await listAudit(db, { itemId: y.id, limit: 10 })).map((e) => e.event);
          assert.deepEqual(events, ["decided", "undone", "decided", "queued"]);
        },
      );

      await t.step("undo on an item someone else now holds keeps their lease", async () => {
        await fresh(2, 1);
        const [a] = await claimNext(db, "ann");
        await decide(db, "ann", a.id, { action: "accept" });
        await claimNext(db, "bob");
        const undone = await undoLast(db, "ann");
        assert.deepEqual([undone.item.status, undone.item.leaseHolder, undone.item.labelCount], [
          "claimed",
          "bob",
          0,
        ]);
      });

      await t.step("releaseItem() gives a held item back", async () => {
        await fresh(1, 1);
        const [a] = await claimNext(db, "ann");
        await rejectsWith(() => releaseItem(db, "bob", a.id), 409, "itemNotHeld");
        assert.equal((await releaseItem(db, "ann", a.id)).status, "queued");
        assert.equal((await claimNext(db, "bob"))[0].id, a.id);
      });

      await t.step("bulkAccept() accepts matching open items, audited one by one", async () => {
        await fresh(1, 12);
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
          await fresh(2, 3);
          const [a] = await claimNext(db, "bob");
          const other = LABELS.find((l) => l !== a.predictedLabel)!;
          await decide(db, "bob", a.id, { action: "label", label: other });
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

      await t.step(
        "every change is in the audit log, with before, after and why queued",
        async () => {
          await fresh(2, 2);
          const [a] = await claimNext(db, "ann");
          await decide(db, "ann", a.id, { action: "accept" });
          await claimNext(db, "bob");
          await decide(db, "bob", a.id, { action: "flag", flagReason: "duplicate" });
          await adjudicate(db, "cy", a.id, { action: "accept", note: "fine" });
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
        await fresh(1, 1);
        await assert.rejects(
          () => db.query("UPDATE review_audit SET actor = 'mallory'"),
          /append-only/,
        );
        await assert.rejects(() => db.query("DELETE FROM review_audit"), /append-only/);
        assert.equal((await listAudit(db, { limit: 10 }))[0].actor, "router");
      });

      await t.step("reviewedLabels() gives the latest reviewed label per article", async () => {
        await fresh(1, 3);
        const items = await claimNext(db, "ann", { limit: 3, order: "oldest" });
        await decide(db, "ann", items[0].id, { action: "label", label: "science" });
        await decide(db, "ann", items[1].id, { action: "accept" });
        await decide(db, "ann", items[2].id, { action: "flag", flagReason: "not_news" });
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
          await fresh(1, 3);
          await activateTestModel(db);
          await db.query("UPDATE models SET created_at = now() - interval '1 hour'");
          const items = await claimNext(db, "ann", { limit: 3 });
          await decide(db, "ann", items[0].id, { action: "accept" });
          await decide(db, "ann", items[1].id, { action: "accept" });
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
        await fresh(1, 6);
        const items = await claimNext(db, "ann", { limit: 3 });
        await decide(db, "ann", items[0].id, { action: "accept" });
        await decide(db, "ann", items[1].id, { action: "skip" });
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
          [
            2,
            1,
            1,
            2,
            2,
          ],
        );
      });

      if (name === "postgres") {
        await t.step(
          "many parallel claimers on PostgreSQL: no item given twice, none lost",
          async () => {
            await fresh(1, 300);
            const pool = openPostgres((testDb as unknown as { url: string }).url, { max: 24 });
            try {
              const seen: number[] = [];
              const decided: number[] = [];
              await Promise.all(Array.from({ length: 24 }, async (_, r) => {
                const reviewer = `r${r}`;
                while (true) {
                  const got = await claimNext(pool, reviewer, { limit: 3 });
                  if (got.length === 0) {
                    // Fewer than asked can mean contention; only an empty queue ends the loop.
                    const [left] = await pool.query<{ n: number }>(
                      "SELECT count(*)::int AS n FROM review_items WHERE status <> 'done'",
                    );
                    if (left.n === 0) return;
                    continue;
                  }
                  for (const item of got) {
                    seen.push(item.id);
                    await decide(pool, reviewer, item.id, { action: "accept" });
                    decided.push(item.id);
                  }
                }
              }));
              assert.equal(seen.length, 300);
              assert.equal(new Set(seen).size, 300, "an item was given twice");
              assert.equal(new Set(decided).size, 300);
              assert.equal((await reviewCounts(pool)).byStatus.done, 300);
            } finally {
              await pool.close();
            }
          },
        );
      }
    } finally {
      await testDb.close();
    }
  });
}
