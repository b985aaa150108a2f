import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { decideMany, releaseMany } from "./batch.ts";
import { claimForDesk, claimNext, closeDesk, heldBy } from "./claim.ts";
import { decide, undoLast } from "./decide.ts";
import { itemLabels } from "./read.ts";
import { freshQueue, ok } from "../../testing/db/review/test_helpers.ts";

const ID_A = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
const ID_B = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
const ID_C = "9c5b94b1-35ad-49bb-b118-8e8fc24abf80";

for (const { name, open } of testDatabases()) {
  Deno.test(`review decision ids and batches (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    try {
      await t.step("decide() stores a decision sent twice under one id once", async () => {
        await freshQueue(testDb, 1, 2);
        const [item] = await claimNext(db, "ann");
        const first = ok(
          await decide(db, "ann", item.id, { action: "accept" }, {
            decisionId: ID_A,
          }),
        );
        assert.equal(first.replayed, undefined);
        assert.equal(first.item.status, "done");
        const again = ok(
          await decide(db, "ann", item.id, { action: "accept" }, {
            decisionId: ID_A,
          }),
        );
        assert.equal(again.replayed, true);
        assert.equal(again.item.status, "done");
        const labels = await itemLabels(db, item.id);
        assert.deepEqual(labels.map((l) => [l.reviewer, l.decisionId]), [["ann", ID_A]]);
      });

      await t.step(
        "two sends of one decision at once store it once, and both answer ok",
        async () => {
          await freshQueue(testDb, 1, 1);
          const [item] = await claimNext(db, "ann");
          const send = () => decide(db, "ann", item.id, { action: "accept" }, { decisionId: ID_C });
          const outcomes = await Promise.all([send(), send(), send()]);
          assert.deepEqual(outcomes.map((o) => o.kind), ["ok", "ok", "ok"]);
          assert.equal(outcomes.filter((o) => o.kind === "ok" && o.replayed).length, 2);
          assert.equal((await itemLabels(db, item.id)).length, 1);
        },
      );

      await t.step("without an id a second send is refused as already decided", async () => {
        await freshQueue(testDb, 2, 1);
        const [item] = await claimNext(db, "ann");
        ok(await decide(db, "ann", item.id, { action: "skip" }));
        const outcome = await decide(db, "ann", item.id, { action: "skip" });
        assert.equal(outcome.kind, "alreadyDecided");
      });

      await t.step("a replay after an undo answers ok and does not decide again", async () => {
        await freshQueue(testDb, 1, 1);
        const [item] = await claimNext(db, "ann");
        ok(await decide(db, "ann", item.id, { action: "accept" }, { decisionId: ID_A }));
        ok(await undoLast(db, "ann"));
        const replay = ok(
          await decide(db, "ann", item.id, { action: "accept" }, {
            decisionId: ID_A,
          }),
        );
        assert.equal(replay.replayed, true);
        assert.equal(replay.item.status, "claimed");
        const labels = await itemLabels(db, item.id);
        assert.equal(labels.length, 1);
        assert.ok(labels[0].retractedAt);
      });

      await t.step(
        "an id reused on another item is refused, and ids are per reviewer",
        async () => {
          await freshQueue(testDb, 2, 2);
          const [one, two] = await claimNext(db, "ann", { limit: 2 });
          ok(await decide(db, "ann", one.id, { action: "accept" }, { decisionId: ID_A }));
          assert.deepEqual(
            await decide(db, "ann", two.id, { action: "accept" }, { decisionId: ID_A }),
            { kind: "decisionIdReused", decisionId: ID_A, itemId: one.id },
          );
          assert.equal((await itemLabels(db, two.id)).length, 0);
          // Bob's decision under the same id is his own.
          const [bobs] = await claimNext(db, "bob");
          assert.equal(bobs.id, one.id);
          ok(await decide(db, "bob", bobs.id, { action: "skip" }, { decisionId: ID_A }));
          assert.equal((await itemLabels(db, one.id)).length, 2);
        },
      );

      await t.step("a replayed refusal is refused again, and stores nothing", async () => {
        await freshQueue(testDb, 1, 1);
        const [item] = await claimNext(db, "ann");
        const refused = await decide(db, "bob", item.id, { action: "accept" }, {
          decisionId: ID_B,
        });
        assert.deepEqual(refused, { kind: "notHeld", id: item.id, heldByOther: true });
        assert.deepEqual(
          await decide(db, "bob", item.id, { action: "accept" }, { decisionId: ID_B }),
          refused,
        );
        assert.equal((await itemLabels(db, item.id)).length, 0);
      });

      await t.step("decideMany() decides in order, each on its own", async () => {
        await freshQueue(testDb, 1, 4);
        const [a, b, c] = await claimNext(db, "ann", { limit: 3 });
        const [taken] = await claimNext(db, "bob");
        const outcomes = await decideMany(db, "ann", [
          { itemId: a.id, decisionId: ID_A, action: "accept" },
          { itemId: taken.id, decisionId: ID_B, action: "accept" },
          { itemId: b.id, decisionId: ID_C, action: "flag", flagReason: "duplicate" },
        ]);
        assert.deepEqual(outcomes.map((o) => o.kind), ["ok", "notHeld", "ok"]);
        // The same batch again: the two stored are replayed, the refusal stays one.
        const again = await decideMany(db, "ann", [
          { itemId: a.id, decisionId: ID_A, action: "accept" },
          { itemId: taken.id, decisionId: ID_B, action: "accept" },
          { itemId: b.id, decisionId: ID_C, action: "flag", flagReason: "duplicate" },
        ]);
        assert.deepEqual(
          again.map((o) => o.kind === "ok" && o.replayed),
          [true, false, true],
        );
        for (const id of [a.id, b.id]) assert.equal((await itemLabels(db, id)).length, 1);
        assert.deepEqual((await heldBy(db, "ann")).map((i) => i.id), [c.id]);
      });

      await t.step(
        "releaseMany() gives back what the reviewer holds and refuses the rest",
        async () => {
          await freshQueue(testDb, 1, 4);
          const [a, b] = await claimNext(db, "ann", { limit: 2 });
          const [theirs] = await claimNext(db, "bob");
          const outcomes = await releaseMany(db, "ann", [a.id, theirs.id, b.id, a.id, 999_999]);
          assert.deepEqual(outcomes.map((o) => o.kind), ["ok", "notHeld", "ok", "notFound"]);
          assert.deepEqual(await heldBy(db, "ann"), []);
          assert.deepEqual((await heldBy(db, "bob")).map((i) => i.id), [theirs.id]);
        },
      );
      await t.step(
        "closeDesk() finds what was claimed under a desk; a closed desk claims nothing",
        async () => {
          await freshQueue(testDb, 1, 6);
          const desk = ID_A;
          const mine = await claimForDesk(db, "ann", desk, { limit: 2 });
          const more = await claimForDesk(db, "ann", desk, { limit: 1 });
          const other = await claimNext(db, "ann"); // not under the desk
          const theirs = await claimForDesk(db, "bob", ID_B, { limit: 1 });
          assert.deepEqual(
            await closeDesk(db, "ann", desk),
            [...mine, ...more].map((i) => i.id).sort((a, b) => a - b),
          );
          // Closed: a claim arriving after the goodbye takes nothing.
          assert.deepEqual(await claimForDesk(db, "ann", desk, { limit: 2 }), []);
          // Bob cannot close ann's desk, nor claim under it; his own is his.
          assert.deepEqual(await closeDesk(db, "bob", desk), []);
          assert.deepEqual(await claimForDesk(db, "bob", desk), []);
          assert.deepEqual(await closeDesk(db, "ann", ID_B), []);
          assert.deepEqual(await closeDesk(db, "bob", ID_B), [theirs[0].id]);
          assert.equal(other.length, 1);
        },
      );

      await t.step(
        "a desk closed while its claim is under way gets that claim's items",
        async () => {
          await freshQueue(testDb, 1, 4);
          const claiming = claimForDesk(db, "ann", ID_C, { limit: 2 });
          const closing = closeDesk(db, "ann", ID_C);
          const [claimed, closed] = await Promise.all([claiming, closing]);
          // Either the claim came first (and the close found its items) or it took nothing.
          assert.deepEqual(closed, claimed.map((i) => i.id).sort((a, b) => a - b));
        },
      );
    } finally {
      await testDb.close();
    }
  });
}
