import assert from "node:assert/strict";
import { openPostgres } from "../postgres.ts";
import { testDatabases } from "../../testing/db/test_db.ts";
import { adoptHeld, claimForDesk, claimNext, closeDesk, heldBy, releaseItem } from "./claim.ts";
import { releaseMany } from "./batch.ts";
import { decide } from "./decide.ts";
import { getReviewItem } from "./items.ts";
import { listReviewItems } from "./read.ts";
import { reviewCounts } from "./stats.ts";
import { expireLeases, freshQueue, LABELS, ok } from "../../testing/db/review/test_helpers.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`review claims (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    const fresh = (overlap: number, n: number) => freshQueue(testDb, overlap, n);
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
        assert.deepEqual(await decide(db, "ann", item.id, { action: "accept" }), {
          kind: "notHeld",
          id: item.id,
          heldByOther: true,
        });
      });

      await t.step("releaseItem() gives a held item back", async () => {
        await fresh(1, 1);
        const [a] = await claimNext(db, "ann");
        assert.deepEqual(await releaseItem(db, "bob", a.id), {
          kind: "notHeld",
          id: a.id,
          heldByOther: true,
        });
        assert.deepEqual(await releaseItem(db, "ann", 999_999), { kind: "notFound", id: 999_999 });
        assert.equal(ok(await releaseItem(db, "ann", a.id)).item.status, "queued");
        assert.equal((await claimNext(db, "bob"))[0].id, a.id);
      });

      await t.step(
        "a desk page that loads takes over what its reviewer holds: the page before gives back only its own",
        async () => {
          await fresh(1, 4);
          const before = crypto.randomUUID();
          const after = crypto.randomUUID();
          const held = await claimForDesk(db, "ann", before, { limit: 3 });
          // The page before says goodbye while the new page loads: its desk is closed
          // and its items listed before the new page takes them over...
          const deskItems = await closeDesk(db, "ann", before);
          assert.deepEqual(deskItems, held.map((i) => i.id).sort((x, y) => x - y));
          const adopted = await adoptHeld(db, "ann", after);
          assert.deepEqual(adopted.map((i) => i.id).sort((x, y) => x - y), deskItems);
          // ...and the goodbye's release, arriving last, leaves them with the new page.
          assert.deepEqual(await releaseMany(db, "ann", [], { desk: before, deskItems }), []);
          assert.deepEqual(
            (await heldBy(db, "ann")).map((i) => i.id).sort((x, y) => x - y),
            deskItems,
          );
          for (const id of deskItems) ok(await decide(db, "ann", id, { action: "accept" }));
          // The new page's own goodbye gives back what it still holds.
          const [extra] = await claimForDesk(db, "ann", after);
          const closing = await closeDesk(db, "ann", after);
          assert.deepEqual(closing, [extra.id]);
          const released = await releaseMany(db, "ann", [], { desk: after, deskItems: closing });
          assert.deepEqual(released.map((o) => ok(o).item.status), ["queued"]);
        },
      );

      await t.step(
        "a closed desk takes nothing over, and a released item is not taken",
        async () => {
          await fresh(1, 2);
          const desk = crypto.randomUUID();
          const [a, b] = await claimNext(db, "ann", { limit: 2 });
          ok(await releaseItem(db, "ann", a.id));
          assert.deepEqual((await adoptHeld(db, "ann", desk)).map((i) => i.id), [b.id]);
          await closeDesk(db, "ann", desk);
          // Closed: the items are listed, not moved (its goodbye gave back what it had).
          const later = crypto.randomUUID();
          const [c] = await claimForDesk(db, "ann", later);
          assert.ok(c);
          assert.deepEqual(
            (await adoptHeld(db, "ann", desk)).map((i) => i.id).sort(),
            [b.id, c.id].sort(),
          );
          assert.deepEqual(await closeDesk(db, "ann", later), [c.id]);
        },
      );

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
                    ok(await decide(pool, reviewer, item.id, { action: "accept" }));
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
