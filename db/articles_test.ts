import assert from "node:assert/strict";
import type { ArticleInput } from "../datasets/article.ts";
import { ingestArticles } from "../services/ingest.ts";
import { toNewArticle } from "../services/article_rows.ts";
import { countArticles, getArticle, insertArticles, listArticles } from "./articles.ts";
import { openPostgres } from "./postgres.ts";
import { postgresTestDb, postgresTestUrl, testDatabases } from "../testing/db/test_db.ts";

const article = (i: number, extra: Record<string, string> = {}) =>
  toNewArticle({ title: `Title ${i}`, body: `Body of article ${i}`, ...extra });

for (const { name, open } of testDatabases()) {
  Deno.test(`articles SQL (${name})`, async (t) => {
    const { db, reset, close } = await open();
    try {
      await t.step("the search index moves its pending entries in small steps", async () => {
        // A 4 MB pending list moved in one insert held the embedded database for a second.
        const [row] = await db.query<{ options: string[] }>(
          "SELECT reloptions AS options FROM pg_class WHERE oid = 'articles_search_idx'::regclass",
        );
        assert.deepEqual(row.options, ["gin_pending_list_limit=256"]);
      });

      await t.step("insertArticles() stores a batch and reports duplicates by key", async () => {
        await reset();
        const first = await insertArticles(db, [article(1), article(2, { externalId: "x-2" })]);
        assert.deepEqual(first.map((o) => o.status), ["created", "created"]);
        const again = await insertArticles(db, [
          article(1), // same content, no id, no url
          article(99, { externalId: "x-2" }), // same external id, other content
          article(3),
          article(3), // repeated within the batch
        ]);
        assert.deepEqual(again.map((o) => o.status), [
          "duplicate",
          "duplicate",
          "created",
          "duplicate",
        ]);
        assert.equal(again[0].id, first[0].id);
        assert.equal(again[1].id, first[1].id);
        assert.equal(again[3].id, again[2].id);
        assert.equal(await countArticles(db), 3);
      });

      await t.step("the url identifies an article that has no external id", async () => {
        await reset();
        const a = await insertArticles(db, [article(1, { url: "https://example.com/a" })]);
        const b = await insertArticles(db, [article(2, { url: "https://example.com/a" })]);
        assert.equal(b[0].status, "duplicate");
        assert.equal(b[0].id, a[0].id);
      });

      await t.step("insertArticles() inside a failed transaction writes nothing", async () => {
        await reset();
        await assert.rejects(() =>
          db.transaction(async (tx) => {
            await insertArticles(tx, [article(1), article(2)]);
            throw new Error("boom");
          })
        );
        assert.equal(await countArticles(db), 0);
      });

      await t.step("listArticles() filters by source, time range and full text", async () => {
        await reset();
        await insertArticles(db, [
          toNewArticle({
            title: "Rates rise",
            body: "The central bank raised rates.",
            source: "wire",
            publishedAt: "2024-01-02T00:00:00Z",
          }),
          toNewArticle({
            title: "Cup final",
            body: "The team won the cup.",
            source: "sport",
            publishedAt: "2024-02-02T00:00:00Z",
          }),
          toNewArticle({
            title: "Banks rally",
            body: "Bank shares rallied.",
            source: "wire",
            publishedAt: "2024-03-02T00:00:00Z",
          }),
        ]);
        const wire = await listArticles(db, { source: "wire", limit: 10 });
        assert.deepEqual(wire.map((a) => a.title), ["Banks rally", "Rates rise"]);
        const feb = await listArticles(db, {
          since: "2024-02-01T00:00:00Z",
          until: "2024-03-01T00:00:00Z",
          limit: 10,
        });
        assert.deepEqual(feb.map((a) => a.title), ["Cup final"]);
        const banks = await listArticles(db, { q: "bank", limit: 10 });
        assert.deepEqual(banks.map((a) => a.title).sort(), ["Banks rally", "Rates rise"]);
        const one = await getArticle(db, banks[0].id);
        assert.equal(one?.id, banks[0].id);
        assert.equal(await getArticle(db, 123456), null);
      });

      await t.step("keyset pages have no gaps or repeats while others insert", async () => {
        await reset();
        await insertArticles(db, Array.from({ length: 95 }, (_, i) => article(i)));
        const before = new Set((await listArticles(db, { limit: 1000 })).map((a) => a.id));
        const seen: number[] = [];
        let cursor: number | undefined;
        let n = 1000;
        for (;;) {
          // Another writer inserts between every page.
          await insertArticles(db, [article(n++), article(n++)]);
          const page = await listArticles(db, { beforeId: cursor, limit: 10 });
          seen.push(...page.map((a) => a.id));
          if (page.length < 10) break;
          cursor = page[page.length - 1].id;
        }
        const fromBefore = seen.filter((id) => before.has(id));
        assert.equal(new Set(seen).size, seen.length, "no article is listed twice");
        assert.deepEqual(
          new Set(fromBefore),
          before,
          "every article present at the start is listed",
        );
      });
    } finally {
      await close();
    }
  });
}

const pgUrl = postgresTestUrl();

Deno.test({
  name:
    "concurrent batches with the same keys in opposite order all succeed, each article stored once (postgres)",
  // PGlite has one connection: its transactions never overlap.
  ignore: !pgUrl,
  async fn() {
    const t = await postgresTestDb(pgUrl!);
    // No retries: the write order alone must keep the batches from deadlocking.
    const db = openPostgres(t.url, { max: 4, transactionAttempts: 1 });
    try {
      const rounds = 30;
      const size = 60;
      for (let round = 0; round < rounds; round++) {
        // Every kind of dedup key: external id, url, and content.
        const batch: ArticleInput[] = Array.from({ length: size }, (_, i) => ({
          title: `Round ${round} article ${i}`,
          body: `Body ${i} of round ${round}.`,
          ...(i % 3 === 0 ? { externalId: `r${round}-${i}` } : {}),
          ...(i % 3 === 1 ? { url: `https://example.com/${round}/${i}` } : {}),
        }));
        const [forward, backward] = await Promise.all([
          ingestArticles(db, batch),
          ingestArticles(db, batch.toReversed()),
        ]);
        const created = [...forward, ...backward].filter((o) => o.status === "created");
        assert.equal(created.length, size, `round ${round}: each article created once`);
        assert.deepEqual(
          forward.map((o) => o.id),
          backward.toReversed().map((o) => o.id),
          `round ${round}: both batches name the same stored articles`,
        );
      }
      assert.equal(await countArticles(db), rounds * size);
    } finally {
      await db.close();
      await t.close();
    }
  },
});
