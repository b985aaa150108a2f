import assert from "node:assert/strict";
import { testDatabases } from "../db/test_db.ts";
import { ingestArticles, toNewArticle } from "./ingest.ts";
import { insertArticles } from "../db/articles.ts";
import { articleTerms } from "../ml/terms.ts";
import { registerModel } from "../db/models.ts";
import { bucketStarts, fillArticleTerms, topicTrends, truncate } from "./trends.ts";
import type { ModelRuntime } from "./model_runtime.ts";

/** A stand-in runtime that labels by keyword, so topics are known exactly. */
const keywordModel: ModelRuntime = {
  current: () => ({ name: "kw", version: "kw-1", labels: ["sport", "tech"] }),
  classify: (texts) =>
    Promise.resolve({
      model: { name: "kw", version: "kw-1", labels: ["sport", "tech"] },
      predictions: texts.map((t) => {
        const label = /match|goal/.test(t) ? "sport" : "tech";
        return {
          label,
          score: 0.9,
          scores: { sport: label === "sport" ? 0.9 : 0.1, tech: label === "tech" ? 0.9 : 0.1 },
        };
      }),
    }),
  refresh: () => Promise.resolve(),
  watch: () => {},
  close: () => Promise.resolve(),
};

Deno.test("truncate() and bucketStarts() use UTC buckets with Monday weeks", () => {
  const t = new Date("2024-03-14T15:42:00Z"); // a Thursday
  assert.equal(truncate(t, "hour").toISOString(), "2024-03-14T15:00:00.000Z");
  assert.equal(truncate(t, "day").toISOString(), "2024-03-14T00:00:00.000Z");
  assert.equal(truncate(t, "week").toISOString(), "2024-03-11T00:00:00.000Z");
  assert.equal(truncate(t, "month").toISOString(), "2024-03-01T00:00:00.000Z");
  const months = bucketStarts(new Date("2024-01-15Z"), new Date("2024-04-01Z"), "month");
  assert.deepEqual(months.map((d) => d.toISOString().slice(0, 7)), [
    "2024-01",
    "2024-02",
    "2024-03",
  ]);
});

for (const { name, open } of testDatabases()) {
  Deno.test(`topicTrends() (${name})`, async (t) => {
    const { db, reset, close } = await open();
    try {
      await reset();
      await registerModel(db, {
        version: "kw-1",
        name: "kw",
        labels: ["sport", "tech"],
        origin: "local",
        location: "/none",
      });
      // 20 quiet days of 2 sport + 1 tech article, then a burst of sport about "penalties".
      const articles = [];
      for (let d = 1; d <= 20; d++) {
        const day = `2024-01-${String(d).padStart(2, "0")}T12:00:00Z`;
        articles.push({
          title: `match report ${d}`,
          body: "a goal in the match",
          publishedAt: day,
          source: "wire",
        });
        articles.push({
          title: `another match ${d}`,
          body: "the goal came late",
          publishedAt: day,
          source: "web",
        });
        articles.push({
          title: `chip news ${d}`,
          body: "a new laptop chip",
          publishedAt: day,
          source: "wire",
        });
      }
      for (let i = 0; i < 30; i++) {
        articles.push({
          title: `penalties match ${i}`,
          body: "penalties decided the goal fest",
          publishedAt: "2024-01-21T09:00:00Z",
          source: "wire",
        });
      }
      await ingestArticles(db, articles, { models: keywordModel });

      await t.step(
        "counts, shares and totals per topic come from the stored statistics",
        async () => {
          const r = await topicTrends(db, {
            bucket: "day",
            from: "2024-01-15T00:00:00Z",
            to: "2024-01-22T00:00:00Z",
            terms: 10,
          });
          const sport = r.topics.find((x) => x.topic === "sport")!;
          const tech = r.topics.find((x) => x.topic === "tech")!;
          assert.equal(sport.series.length, 7);
          assert.equal(sport.total, 6 * 2 + 30);
          assert.equal(tech.total, 6);
          const jan16 = sport.series.find((p) => p.bucket.startsWith("2024-01-16"))!;
          assert.equal(jan16.count, 2);
          assert.ok(Math.abs(jan16.share - 2 / 3) < 1e-9);
        },
      );

      await t.step("the burst day is flagged as a spike and quiet days are not", async () => {
        const r = await topicTrends(db, {
          bucket: "day",
          from: "2024-01-10T00:00:00Z",
          to: "2024-01-22T00:00:00Z",
          terms: 0,
        });
        const sport = r.topics.find((x) => x.topic === "sport")!;
        assert.deepEqual(sport.spikes.map((s) => s.bucket), ["2024-01-21T00:00:00.000Z"]);
        assert.ok(r.topics.find((x) => x.topic === "tech")!.spikes.length === 0);
      });

      await t.step("rising terms of the burst period include its new word", async () => {
        const r = await topicTrends(db, {
          bucket: "day",
          from: "2024-01-21T00:00:00Z",
          to: "2024-01-22T00:00:00Z",
          terms: 5,
        });
        const sport = r.topics.find((x) => x.topic === "sport")!;
        assert.equal(sport.risingTerms[0].term, "penalties");
        assert.equal(sport.risingTerms[0].count, 60); // title and body of 30 articles
        assert.equal(sport.change.previous, 2);
        assert.equal(sport.change.direction, "up");
      });

      await t.step("the source filter narrows the counts", async () => {
        const r = await topicTrends(db, {
          bucket: "week",
          from: "2024-01-01T00:00:00Z",
          to: "2024-01-29T00:00:00Z",
          source: "web",
          terms: 0,
        });
        assert.deepEqual(r.topics.map((x) => [x.topic, x.total]), [["sport", 20]]);
      });

      await t.step("invalid ranges are refused with 422", async () => {
        await assert.rejects(
          () =>
            topicTrends(db, {
              bucket: "day",
              from: "2024-02-01T00:00:00Z",
              to: "2024-01-01T00:00:00Z",
              terms: 0,
            }),
          (e: Error & { status?: number }) => e.status === 422,
        );
        await assert.rejects(
          () =>
            topicTrends(db, {
              bucket: "hour",
              from: "2020-01-01T00:00:00Z",
              to: "2024-01-01T00:00:00Z",
              terms: 0,
            }),
          (e: Error & { code?: string }) => e.code === "tooManyBuckets",
        );
      });
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`fillArticleTerms() stores the terms of articles kept without them (${name})`, async () => {
    const { db, close } = await open();
    try {
      const [a, b] = await insertArticles(db, [
        toNewArticle({ title: "Rates rise", body: "The bank raised rates again." }),
        toNewArticle({ title: "Cup final", body: "A late goal won the cup." }),
      ]);
      assert.equal(await fillArticleTerms(db), 2);
      const [row] = await db.query<{ terms: Record<string, number> }>(
        "SELECT terms FROM articles WHERE id = $1",
        [a.id],
      );
      assert.deepEqual(
        row.terms,
        Object.fromEntries(articleTerms("Rates rise", "The bank raised rates again.")),
      );
      assert.ok(b.id > a.id);
      assert.equal(await fillArticleTerms(db), 0, "nothing left to fill");
      const [stored] = await ingestArticles(db, [{ title: "Markets", body: "Stocks rose." }]);
      const [ingested] = await db.query<{ terms: Record<string, number> | null }>(
        "SELECT terms FROM articles WHERE id = $1",
        [stored.id],
      );
      assert.deepEqual(ingested.terms, Object.fromEntries(articleTerms("Markets", "Stocks rose.")));
    } finally {
      await close();
    }
  });
}
