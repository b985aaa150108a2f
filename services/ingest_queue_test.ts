import assert from "node:assert/strict";
import { countArticles, getArticle } from "../db/articles.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { createIngestQueue, mergeBatches } from "./ingest_queue.ts";
import type { TextServices } from "./text_services.ts";

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

/**
 * Text services whose summary of an article titled `held` waits until `release()` (or fails
 * with `fail()`); every other article is summarized at once.
 */
function heldText() {
  let release!: () => void, fail!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  let started!: () => void;
  const held = new Promise<void>((resolve) => started = resolve);
  const text: TextServices = {
    summaryMethod: "extractive",
    async summarize({ title = "" }) {
      if (title === "held") {
        started();
        await gate;
      }
      return { summary: title, sentences: [title], method: "extractive" };
    },
    detectLanguage: () => ({ language: "en", confidence: 1 }),
  };
  return { text, held, release, fail };
}

const heldArticle = { externalId: "held", title: "held", body: "Held back." };

Deno.test("createIngestQueue() on the embedded database: a write waits for the requests being prepared and takes them", async () => {
  const { db: raw, close } = await pgliteTestDb();
  try {
    const { db, transactions } = watched(raw);
    const { text, held, release } = heldText();
    const queue = createIngestQueue(db, { text }, { gatherMs: 60_000 });
    const slow = queue.ingest([heldArticle]);
    await held;
    const ready = queue.ingest([article(1)]);
    // The ready request waits for the one being prepared, then both go in one transaction.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(transactions(), 0);
    release();
    const [a, b] = await Promise.all([slow, ready]);
    assert.equal(transactions(), 1);
    assert.deepEqual([a[0].status, b[0].status], ["created", "created"]);
  } finally {
    await close();
  }
});

Deno.test("createIngestQueue() waits for requests being prepared no longer than gatherMs, nor for one that fails", async () => {
  const { db: raw, close } = await pgliteTestDb();
  try {
    const { db, transactions } = watched(raw);
    const bounded = heldText();
    const queue = createIngestQueue(db, { text: bounded.text }, { gatherMs: 1 });
    const slow = queue.ingest([heldArticle]);
    await bounded.held;
    // Written alone once the bound has passed, the other still being prepared.
    const [ready] = await queue.ingest([article(1)]);
    assert.equal(ready.status, "created");
    assert.equal(transactions(), 1);
    bounded.release();
    assert.equal((await slow)[0].status, "created");

    const failing = heldText();
    const patient = createIngestQueue(db, { text: failing.text }, { gatherMs: 60_000 });
    const doomed = patient.ingest([{ ...heldArticle, externalId: "held-2" }]);
    await failing.held;
    const waiting = patient.ingest([article(2)]);
    failing.fail(new Error("summarizer down"));
    await assert.rejects(doomed, /summarizer down/);
    assert.equal((await waiting)[0].status, "created");
    assert.equal(await countArticles(raw), 3);
  } finally {
    await close();
  }
});
