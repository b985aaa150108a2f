import assert from "node:assert/strict";
import { countArticles } from "../db/articles.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import { readDataset } from "../datasets/mod.ts";
import { SAMPLE_DATASETS, seedRecords, type SeedResult } from "./seed.ts";

async function* records(list: DatasetRecord[]): AsyncGenerator<DatasetRecord> {
  for (const r of list) yield r;
}

const article = (i: number, extra: Partial<DatasetRecord> = {}): DatasetRecord => ({
  externalId: `seed-test-${i}`,
  title: `Title ${i}`,
  body: `Body ${i}`,
  source: "test",
  label: "World",
  ...extra,
});

for (const { name, open } of testDatabases()) {
  Deno.test(`seedRecords() (${name})`, async (t) => {
    const tdb = await open();
    const { db } = tdb;
    try {
      await t.step(
        "stores records in batches, reporting cumulative progress per batch",
        async () => {
          await tdb.reset();
          const progress: SeedResult[] = [];
          const result = await seedRecords(
            db,
            records(Array.from({ length: 7 }, (_, i) => article(i))),
            {
              batchSize: 3,
              onProgress: (r) => progress.push(r),
            },
          );
          assert.deepEqual(result, { read: 7, created: 7, duplicates: 0 });
          assert.deepEqual(progress, [
            { read: 3, created: 3, duplicates: 0 },
            { read: 6, created: 6, duplicates: 0 },
            { read: 7, created: 7, duplicates: 0 },
          ]);
          assert.equal(await countArticles(db), 7);
        },
      );

      await t.step("a second run stores nothing and counts every record a duplicate", async () => {
        await tdb.reset();
        const list = Array.from({ length: 5 }, (_, i) => article(i));
        await seedRecords(db, records(list), { batchSize: 2 });
        const again = await seedRecords(db, records(list), { batchSize: 2 });
        assert.deepEqual(again, { read: 5, created: 0, duplicates: 5 });
        assert.equal(await countArticles(db), 5);
      });

      await t.step("counts duplicates inside one batch and across batches", async () => {
        await tdb.reset();
        const list = [
          article(1),
          article(1, { title: "same external id, other title" }),
          { title: "No id", body: "Same content", url: null },
          { title: "no   ID", body: "same content " }, // same content hash after folding
          { title: "By url", body: "a", url: "https://example.com/1" },
          article(1), // in the next batch
          { title: "By url again", body: "b", url: "https://example.com/1" },
        ];
        const result = await seedRecords(db, records(list), { batchSize: 5 });
        assert.deepEqual(result, { read: 7, created: 3, duplicates: 4 });
        assert.equal(await countArticles(db), 3);
      });

      await t.step("stops after `limit` records", async () => {
        await tdb.reset();
        const list = Array.from({ length: 10 }, (_, i) => article(i));
        const result = await seedRecords(db, records(list), { batchSize: 4, limit: 6 });
        assert.deepEqual(result, { read: 6, created: 6, duplicates: 0 });
        assert.equal(await countArticles(db), 6);
      });

      await t.step("stores nothing for an empty data set", async () => {
        await tdb.reset();
        const progress: SeedResult[] = [];
        const result = await seedRecords(db, records([]), { onProgress: (r) => progress.push(r) });
        assert.deepEqual(result, { read: 0, created: 0, duplicates: 0 });
        assert.deepEqual(progress, []);
      });

      await t.step("keeps the whole batches stored before a read error", async () => {
        await tdb.reset();
        async function* failing() {
          for (let i = 0; i < 5; i++) yield article(i);
          throw new Error("disk went away");
        }
        await assert.rejects(() => seedRecords(db, failing(), { batchSize: 2 }), /disk went away/);
        assert.equal(await countArticles(db), 4, "two whole batches; the half batch is not stored");
      });

      await t.step("seeds the shipped AG News and HuffPost samples (20,000 articles)", async () => {
        await tdb.reset();
        let total = 0;
        for (const path of SAMPLE_DATASETS) {
          const r = await seedRecords(db, readDataset(path));
          assert.equal(r.read, 10_000, path);
          total += r.created;
        }
        assert.equal(await countArticles(db), total);
        assert.ok(total > 19_000, `only ${total} distinct articles stored`);
      });

      await t.step({
        name: "a record containing a NUL character does not abort the seed",
        fn: async () => {
          await tdb.reset();
          const list = [article(1), article(2, { body: "before\u0000after" }), article(3)];
          const result = await seedRecords(db, records(list));
          assert.equal(result.read, 3);
          assert.ok(await countArticles(db) >= 2);
        },
      });
    } finally {
      await tdb.close();
    }
  });
}
