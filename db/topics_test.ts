import assert from "node:assert/strict";
import { articleTerms } from "../ml/terms.ts";
import { getArticle, setArticleTerms } from "./articles.ts";
import type { Db } from "./mod.ts";
import { adjudicate, bulkAccept, claimNext, decide, undoLast } from "./review/mod.ts";
import { ok, QUEUE_ALL, registerTestModel, seedQueue } from "../testing/db/review/test_helpers.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { syncReviewedTopics } from "./topics.ts";
import { countsByBucket, foldPendingStats, queueArticleStats } from "./trends.ts";
import { termCountsForPeriods } from "./trend_terms.ts";

const MARCH = { from: "2024-03-01T00:00:00Z", to: "2024-04-01T00:00:00Z" };

/** Articles predicted `markets` in March 2024, counted in the trends as ingestion counts them. */
async function ingestMarkets(db: Db, n: number, overlap = 1): Promise<number[]> {
  await registerTestModel(db);
  const ids = await seedQueue(db, n, {
    policy: { ...QUEUE_ALL, overlap },
    label: () => "markets",
    score: () => 0.6,
    source: () => "wire",
    publishedAt: (i) => `2024-03-0${i + 1}T10:00:00Z`,
  });
  for (const id of ids) {
    const stats = await statsOf(db, id);
    await setArticleTerms(db, [{ id, terms: stats.terms }]);
    await queueArticleStats(db, [stats]);
  }
  return ids;
}

/** Articles per topic in March, and March's term counts per topic, after a fold. */
async function trends(db: Db) {
  await foldPendingStats(db);
  const counts: Record<string, number> = {};
  for (const r of await countsByBucket(db, { bucket: "month", ...MARCH })) {
    counts[r.label] = r.count;
  }
  const terms = await termCountsForPeriods(db, {
    labels: ["markets", "science", "sport"],
    baselineFrom: "2024-02-01T00:00:00Z",
    ...MARCH,
    minCount: 1,
  });
  const body = Object.fromEntries(
    [...terms].map(([topic, t]) => [topic, t.current.get("body") ?? 0]),
  );
  return { counts, body };
}

for (const { name, open } of testDatabases()) {
  Deno.test(`a reviewed label becomes the article's topic, and its trend counts move (${name})`, async (t) => {
    const { db, reset, close } = await open();
    try {
      await t.step("label, then undo", async () => {
        await reset();
        const [id] = await ingestMarkets(db, 2);
        assert.deepEqual((await trends(db)).counts, { markets: 2 });

        const [item] = await claimNext(db, "ann");
        assert.equal(item.article.id, id);
        ok(await decide(db, "ann", item.id, { action: "label", label: "science" }));
        const reviewed = (await getArticle(db, id))!;
        assert.equal(reviewed.topic, "science");
        assert.equal(reviewed.topicReviewed, true);
        assert.equal(reviewed.predictedTopic, "markets");
        assert.equal(reviewed.topicScore, null);
        assert.deepEqual(await trends(db), {
          counts: { markets: 1, science: 1 },
          body: { markets: 1, science: 1, sport: 0 },
        });

        ok(await undoLast(db, "ann"));
        const restored = (await getArticle(db, id))!;
        assert.equal(restored.topic, "markets");
        assert.equal(restored.topicReviewed, false);
        assert.equal(restored.topicScore, 0.6);
        assert.deepEqual(await trends(db), {
          counts: { markets: 2 },
          body: { markets: 2, science: 0, sport: 0 },
        });
      });

      await t.step("accepting the prediction marks it reviewed and moves nothing", async () => {
        await reset();
        const ids = await ingestMarkets(db, 2);
        assert.deepEqual(await bulkAccept(db, "ann", {}, { limit: 10 }), await itemIds(db));
        for (const id of ids) {
          const a = (await getArticle(db, id))!;
          assert.equal(a.topic, "markets");
          assert.equal(a.topicReviewed, true);
        }
        assert.deepEqual((await trends(db)).counts, { markets: 2 });
      });

      await t.step("skips and flags leave the prediction", async () => {
        await reset();
        const [id] = await ingestMarkets(db, 1);
        const [item] = await claimNext(db, "ann");
        ok(await decide(db, "ann", item.id, { action: "flag", flagReason: "not_news" }));
        const a = (await getArticle(db, id))!;
        assert.equal(a.topic, "markets");
        assert.equal(a.topicReviewed, false);
        assert.deepEqual((await trends(db)).counts, { markets: 1 });
      });

      await t.step("a disputed item moves the topic only once adjudicated", async () => {
        await reset();
        const [id] = await ingestMarkets(db, 1, 2);
        for (const [reviewer, label] of [["ann", "science"], ["bob", "sport"]]) {
          const [item] = await claimNext(db, reviewer);
          ok(await decide(db, reviewer, item.id, { action: "label", label }));
        }
        assert.equal((await getArticle(db, id))!.topic, "markets");
        assert.deepEqual((await trends(db)).counts, { markets: 1 });

        const [{ id: itemId }] = await db.query<{ id: number }>("SELECT id FROM review_items");
        ok(await adjudicate(db, "lead", itemId, { action: "label", label: "sport" }));
        assert.equal((await getArticle(db, id))!.topic, "sport");
        assert.deepEqual(await trends(db), {
          counts: { sport: 1 },
          body: { markets: 0, science: 0, sport: 1 },
        });
      });

      await t.step("reviews settled before topics followed them are applied once", async () => {
        await reset();
        const [id] = await ingestMarkets(db, 2);
        const [item] = await claimNext(db, "ann");
        ok(await decide(db, "ann", item.id, { action: "label", label: "science" }));
        await trends(db);
        // As a database from before: the review settled, the article and counters untouched.
        await db.query(
          `UPDATE articles SET topic = 'markets', topic_score = 0.6, topic_reviewed = false
            WHERE id = $1`,
          [id],
        );
        await queueArticleStats(db, [
          { ...(await statsOf(db, id)), topic: "science", weight: -1 },
          { ...(await statsOf(db, id)), topic: "markets" },
        ]);
        assert.deepEqual((await trends(db)).counts, { markets: 2 });

        assert.equal(await syncReviewedTopics(db), 1);
        assert.equal((await getArticle(db, id))!.topic, "science");
        assert.deepEqual((await trends(db)).counts, { markets: 1, science: 1 });
        assert.equal(await syncReviewedTopics(db), 0);
      });
    } finally {
      await close();
    }
  });
}

/** An article's contribution to the trends under its current topic, as ingestion counts it. */
async function statsOf(db: Db, id: number) {
  const a = (await getArticle(db, id))!;
  return {
    publishedAt: a.publishedAt,
    topic: a.topic!,
    source: a.source!,
    terms: articleTerms(a.title, a.body),
  };
}

async function itemIds(db: Db): Promise<number[]> {
  return (await db.query<{ id: number }>("SELECT id FROM review_items ORDER BY id")).map((r) =>
    r.id
  );
}
