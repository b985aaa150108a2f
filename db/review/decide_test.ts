import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { adjudicate } from "./bulk.ts";
import { claimNext } from "./claim.ts";
import { decide, undoLast } from "./decide.ts";
import { itemLabels, listAudit, listReviewItems } from "./read.ts";
import { expireLeases, freshQueue, LABELS, ok } from "../../testing/db/review/test_helpers.ts";
import type { Decision } from "./types.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review decisions (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    const fresh = (overlap: number, n: number) => freshQueue(testDb, overlap, n);
    /** The item after a decision that must succeed. */
    const decided = async (reviewer: string, id: number, d: Decision) =>
      ok(await decide(db, reviewer, id, d)).item;
    try {
      await t.step("deciding after your own lease expired is refused as such", async () => {
        await fresh(1, 1);
        const [item] = await claimNext(db, "ann");
        await expireLeases(db, item.id);
        const outcome = await decide(db, "ann", item.id, { action: "accept" });
        assert.equal(outcome.kind, "leaseExpired");
        assert.ok(outcome.kind === "leaseExpired" && outcome.id === item.id);
        assert.ok(Date.parse(outcome.expiredAt) <= Date.now());
        assert.equal((await itemLabels(db, item.id)).length, 0);
      });

      await t.step(
        "decide() refuses unknown items, labels outside the model, unheld items",
        async () => {
          await fresh(1, 2);
          const [item] = await claimNext(db, "ann");
          assert.deepEqual(await decide(db, "ann", 999_999, { action: "accept" }), {
            kind: "notFound",
            id: 999_999,
          });
          assert.deepEqual(
            await decide(db, "ann", item.id, { action: "label", label: "cooking" }),
            { kind: "invalidLabel", label: "cooking", labels: LABELS },
          );
          assert.deepEqual(await decide(db, "ann", item.id, { action: "label" }), {
            kind: "invalidLabel",
            label: undefined,
            labels: LABELS,
          });
          assert.deepEqual(await decide(db, "ann", item.id, { action: "flag" }), {
            kind: "flagReasonRequired",
          });
          assert.deepEqual(await decide(db, "bob", item.id, { action: "accept" }), {
            kind: "notHeld",
            id: item.id,
            heldByOther: true,
          });
          const other = (await listReviewItems(db, { status: "queued" }, { limit: 1 }))[0];
          assert.deepEqual(await decide(db, "ann", other.id, { action: "accept" }), {
            kind: "notHeld",
            id: other.id,
            heldByOther: false,
          });
          assert.equal((await itemLabels(db, item.id)).length, 0, "nothing recorded");
          const done = await decided("ann", item.id, { action: "label", label: "science" });
          assert.equal(done.status, "done");
          assert.equal(done.finalLabel, "science");
          assert.equal(done.leaseHolder, null);
          assert.deepEqual(await decide(db, "ann", item.id, { action: "accept" }), {
            kind: "alreadyDecided",
            id: item.id,
          });
        },
      );

      await t.step("accept, skip and flag finish a single-overlap item", async () => {
        await fresh(1, 3);
        const items = await claimNext(db, "ann", { limit: 3 });
        const accepted = await decided("ann", items[0].id, { action: "accept" });
        assert.deepEqual([accepted.status, accepted.finalLabel], ["done", items[0].predictedLabel]);
        const skipped = await decided("ann", items[1].id, { action: "skip" });
        assert.deepEqual([skipped.status, skipped.finalLabel], ["skipped", null]);
        const flagged = await decided("ann", items[2].id, {
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
          const after = await decided("ann", a.id, { action: "label", label: "sport" });
          assert.deepEqual([after.status, after.labelCount], ["labelled", 1]);
          assert.deepEqual(await claimNext(db, "ann"), [], "ann already labelled it");
          const [b] = await claimNext(db, "bob");
          assert.equal(b.id, a.id);
          const done = await decided("bob", b.id, { action: "label", label: "sport" });
          assert.deepEqual([done.status, done.finalLabel, done.labelCount], ["done", "sport", 2]);
          assert.deepEqual(await claimNext(db, "cy"), []);
        },
      );

      await t.step(
        "with overlap 2, disagreement goes to adjudication, which settles it",
        async () => {
          await fresh(2, 1);
          const [a] = await claimNext(db, "ann");
          await decided("ann", a.id, { action: "accept" });
          await claimNext(db, "bob");
          const other = LABELS.find((l) => l !== a.predictedLabel)!;
          const disputed = await decided("bob", a.id, { action: "label", label: other });
          assert.equal(disputed.status, "needs_adjudication");
          assert.equal(disputed.finalLabel, null);
          assert.deepEqual(
            await adjudicate(db, "cy", a.id, { action: "label", label: "nope" }),
            { kind: "invalidLabel", label: "nope", labels: LABELS },
          );
          const settled = ok(await adjudicate(db, "cy", a.id, { action: "label", label: other }))
            .item;
          assert.deepEqual([settled.status, settled.finalLabel, settled.adjudicatedBy], [
            "done",
            other,
            "cy",
          ]);
          assert.deepEqual(await adjudicate(db, "cy", a.id, { action: "accept" }), {
            kind: "notAwaitingAdjudication",
            id: a.id,
            status: "done",
          });
          assert.deepEqual(await adjudicate(db, "cy", 999_999, { action: "accept" }), {
            kind: "notFound",
            id: 999_999,
          });
          // Once adjudicated, the reviewers' decisions can no longer be undone.
          assert.deepEqual(await undoLast(db, "bob"), {
            kind: "alreadyAdjudicated",
            id: a.id,
            by: "cy",
          });
        },
      );

      await t.step(
        "undoLast() takes back the last decision, leases the item back, and audits it",
        async () => {
          await fresh(1, 2);
          assert.deepEqual(await undoLast(db, "ann"), { kind: "nothingToUndo" });
          const [x, y] = await claimNext(db, "ann", { limit: 2 });
          await decided("ann", x.id, { action: "accept" });
          await decided("ann", y.id, { action: "skip" });
          const undone = ok(await undoLast(db, "ann"));
          assert.equal(undone.item.id, y.id);
          assert.deepEqual(undone.undone, { action: "skip", label: null, flagReason: null });
          assert.deepEqual([undone.item.status, undone.item.leaseHolder], ["claimed", "ann"]);
          const redone = await decided("ann", y.id, { action: "label", label: "markets" });
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
        await decided("ann", a.id, { action: "accept" });
        await claimNext(db, "bob");
        const { item } = ok(await undoLast(db, "ann"));
        assert.deepEqual([item.status, item.leaseHolder, item.labelCount], ["claimed", "bob", 0]);
      });
    } finally {
      await testDb.close();
    }
  });
}
