import assert from "node:assert/strict";
import { countArticles, getArticle } from "../db/articles.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { createIngestQueue, mergeBatches } from "./ingest_queue.ts";

/** `db`, counting transactions, and refusing any insert that carries the title `refused`. */
function watched(db: Db) {
  let transactions = 0;
  const guard = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      if (/INSERT INTO articles/.test(sql) && String(params?.[0]).includes('"title":"refused"')) {
        return Promise.reject(new Error("refused by the database"));
      }
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  const wrapped: Db = {
    ...db,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    pool: () => db.pool(),
    close: () => db.close(),
    transaction: (fn) => {
      transactions++;
      return db.transaction((tx) => fn(guard(tx)));
    },
  };
  return { db: wrapped, transactions: () => transactions };
}

const article = (i: number) => ({ externalId: `q-${i}`, title: `Story ${i}`, body: `Text ${i}.` });

Deno.test("createIngestQueue() writes concurrent requests together, each with its own outcomes", async () => {
  const { db: raw, close } = await pgliteTestDb();
  try {
    const { db, transactions } = watched(raw);
    const queue = createIngestQueue(db, {});
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => queue.ingest([article(i), article(100 + i)])),
    );
    assert.ok(transactions() < 12, `${transactions()} transactions for 12 requests`);
    for (const [i, outcomes] of results.entries()) {
      assert.deepEqual(outcomes.map((o) => o.status), ["created", "created"]);
      assert.equal((await getArticle(raw, outcomes[0].id))?.externalId, `q-${i}`);
      assert.equal((await getArticle(raw, outcomes[1].id))?.externalId, `q-${100 + i}`);
    }
    assert.equal(await countArticles(raw), 24);
  } finally {
    await close();
  }
});

Deno.test("createIngestQueue() on PostgreSQL writes one transaction at a time: those waiting go together", async () => {
  const { db: raw, close } = await pgliteTestDb();
  try {
    const { db: counted, transactions } = watched(raw);
    const queue = createIngestQueue({ ...counted, kind: "postgres" }, {});
    await Promise.all(Array.from({ length: 12 }, (_, i) => queue.ingest([article(i)])));
    // The first request is written at once; the eleven prepared meanwhile wait for it and
    // go together (a second writer would have taken the next one alone).
    assert.equal(transactions(), 2);
    assert.equal(await countArticles(raw), 12);
  } finally {
    await close();
  }
});

Deno.test("createIngestQueue() stores an article sent twice at once once, the other a duplicate", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const queue = createIngestQueue(db, {});
    const [a, b, c] = await Promise.all([
      queue.ingest([article(1)]),
      queue.ingest([article(2)]),
      queue.ingest([article(2)]),
    ]);
    assert.equal(a[0].status, "created");
    assert.deepEqual([b[0].status, c[0].status].sort(), ["created", "duplicate"]);
    assert.equal(b[0].id, c[0].id);
    assert.equal(await countArticles(db), 2);
  } finally {
    await close();
  }
});

Deno.test("createIngestQueue() fails only the request whose rows were refused", async () => {
  const { db: raw, close } = await pgliteTestDb();
  try {
    const { db } = watched(raw);
    const queue = createIngestQueue(db, {});
    const settled = await Promise.allSettled([
      queue.ingest([article(1)]),
      queue.ingest([article(2), { title: "refused", body: "x" }]),
      queue.ingest([article(3)]),
      queue.ingest([article(4)]),
    ]);
    assert.deepEqual(settled.map((s) => s.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    // The refused request wrote nothing, not even its other article.
    assert.equal(await countArticles(raw), 3);
  } finally {
    await close();
  }
});

Deno.test("mergeBatches() joins rows and each model's predictions in order", () => {
  const model = { name: "m", version: "v1", labels: ["a", "b"] };
  const p = (label: string) => ({ label, score: 1, scores: { [label]: 1 } });
  const row = (t: string) => ({ title: t, body: "", contentHash: t, dedupKey: t });
  const merged = mergeBatches([
    { rows: [row("x")], results: [{ model, predictions: [p("a")] }] },
    { rows: [row("y"), row("z")], results: [{ model, predictions: [p("b"), p("a")] }] },
  ]);
  assert.deepEqual(merged.rows.map((r) => r.title), ["x", "y", "z"]);
  assert.deepEqual(merged.results[0].predictions.map((x) => x.label), ["a", "b", "a"]);
});
