import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { ingestArticles } from "./ingest.ts";
import { toNewArticle } from "./article_rows.ts";
import { insertArticles } from "../db/articles.ts";
import { articleTerms, termCounts } from "../ml/terms.ts";
import { registerModel } from "../db/models.ts";
import {
  bucketCount,
  bucketStarts,
  fillArticleTerms,
  labelTrends,
  MAX_BUCKETS,
  type TrendsResult,
  truncate,
} from "./trends.ts";
import type { ModelRuntime } from "./model_runtime.ts";

/** The trends of an outcome that must not be a refusal. */
function trendsOf(outcome: Awaited<ReturnType<typeof labelTrends>>): TrendsResult {
  if (!outcome.ok) throw new Error(`refused: ${outcome.code}: ${outcome.message}`);
  return outcome.value;
}

/** A stand-in runtime that labels by keyword, so topics are known exactly. */
const keywordModel: ModelRuntime = {
  current: () => ({ name: "kw", version: "kw-1", labels: ["sport", "tech"] }),
  served: () => [{ name: "kw", version: "kw-1", labels: ["sport", "tech"] }],
  classifyAll: async (texts) => [await keywordModel.classify(texts)],
  classify: (texts) =>
    Promise.resolve({
      model: { name: "kw", version: "kw-1", labels: ["sport", "tech"] },
      predictions: texts.map((t) => {
        const text = typeof t === "string" ? t : `${t.title} ${t.body}`;
        const label = /match|goal/.test(text) ? "sport" : "tech";
        return {
          label,
          score: 0.9,
          scores: { sport: label === "sport" ? 0.9 : 0.1, tech: label === "tech" ? 0.9 : 0.1 },
        };
      }),
    }),
  refresh: () => Promise.resolve(),
  problems: () => [],
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

Deno.test("bucketCount() counts hour, day and week buckets from the two dates", () => {
  const from = new Date("2024-03-14T15:42:00Z"); // a Thursday
  assert.equal(bucketCount(from, new Date("2024-03-14T16:00:00Z"), "hour"), 1);
  assert.equal(bucketCount(from, new Date("2024-03-14T16:00:01Z"), "hour"), 2);
  assert.equal(bucketCount(from, new Date("2024-03-15T00:00:00Z"), "day"), 1);
  assert.equal(bucketCount(from, new Date("2024-04-14T12:00:00Z"), "day"), 32);
  // Weeks start on Monday 11 March: the 11th, 18th and 25th start before the 26th.
  assert.equal(bucketCount(from, new Date("2024-03-26T00:00:00Z"), "week"), 3);
  assert.equal(bucketCount(from, from, "hour"), 1); // the bucket holding `from` starts before it
  assert.equal(bucketCount(truncate(from, "hour"), truncate(from, "hour"), "hour"), 0);
  assert.equal(bucketCount(from, new Date("2024-01-01Z"), "day"), 0);
});

Deno.test("bucketCount() counts months across years, a partial last month included", () => {
  const d = (s: string) => new Date(s);
  assert.equal(bucketCount(d("2023-11-20Z"), d("2024-02-01Z"), "month"), 3);
  assert.equal(bucketCount(d("2023-11-20Z"), d("2024-02-01T00:00:01Z"), "month"), 4);
  assert.equal(bucketCount(d("2023-12-31T23:00:00Z"), d("2024-01-01Z"), "month"), 1);
  assert.equal(bucketCount(d("1999-01-01Z"), d("2024-01-01Z"), "month"), 25 * 12);
});

Deno.test("bucketCount() agrees with bucketStarts() on every bucket size", () => {
  const ranges = [
    ["2024-01-31T10:30:00Z", "2024-03-01T00:00:00Z"],
    ["2023-12-25T00:00:00Z", "2024-01-08T00:00:01Z"],
    ["2020-02-29T23:59:59Z", "2020-03-02T01:00:00Z"],
  ];
  for (const [a, b] of ranges) {
    for (const bucket of ["hour", "day", "week", "month"] as const) {
      const from = new Date(a);
      const to = new Date(b);
      assert.equal(bucketCount(from, to, bucket), bucketStarts(from, to, bucket).length);
    }
  }
});

Deno.test("bucketCount() counts a range of millennia without listing it", () => {
  const from = new Date("0001-01-01T00:00:00Z");
  const to = new Date("9999-12-31T00:00:00Z");
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  assert.equal(bucketCount(from, to, "hour"), days * 24);
  assert.equal(bucketCount(from, to, "month"), 9998 * 12 + 12);
  assert.equal(truncate(from, "month").toISOString(), "0001-01-01T00:00:00.000Z");
});

Deno.test("bucketStarts() refuses more than MAX_BUCKETS buckets before listing any", () => {
  const from = new Date("2024-01-01T00:00:00Z");
  assert.equal(
    bucketStarts(from, new Date(from.getTime() + MAX_BUCKETS * 3_600_000), "hour").length,
    MAX_BUCKETS,
  );
  assert.throws(
    () => bucketStarts(new Date("0001-01-01T00:00:00Z"), new Date("9999-12-31T00:00:00Z"), "hour"),
    RangeError,
  );
});

for (const { name, open } of testDatabases()) {
  Deno.test(`labelTrends() (${name})`, async (t) => {
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
          const r = trendsOf(
            await labelTrends(db, {
              bucket: "day",
              from: "2024-01-15T00:00:00Z",
              to: "2024-01-22T00:00:00Z",
              terms: 10,
            }),
          );
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
        const r = trendsOf(
          await labelTrends(db, {
            bucket: "day",
            from: "2024-01-10T00:00:00Z",
            to: "2024-01-22T00:00:00Z",
            terms: 0,
          }),
        );
        const sport = r.topics.find((x) => x.topic === "sport")!;
        assert.deepEqual(sport.spikes.map((s) => s.bucket), ["2024-01-21T00:00:00.000Z"]);
        assert.ok(r.topics.find((x) => x.topic === "tech")!.spikes.length === 0);
      });

      await t.step("rising terms of the burst period include its new word", async () => {
        const r = trendsOf(
          await labelTrends(db, {
            bucket: "day",
            from: "2024-01-21T00:00:00Z",
            to: "2024-01-22T00:00:00Z",
            terms: 5,
          }),
        );
        const sport = r.topics.find((x) => x.topic === "sport")!;
        assert.equal(sport.risingTerms[0].term, "penalties");
        assert.equal(sport.risingTerms[0].count, 60); // title and body of 30 articles
        assert.equal(sport.change.previous, 2);
        assert.equal(sport.change.direction, "up");
      });

      await t.step("the source filter narrows the counts", async () => {
        const r = trendsOf(
          await labelTrends(db, {
            bucket: "week",
            from: "2024-01-01T00:00:00Z",
            to: "2024-01-29T00:00:00Z",
            source: "web",
            terms: 0,
          }),
        );
        assert.deepEqual(r.topics.map((x) => [x.topic, x.total]), [["sport", 20]]);
      });

      await t.step("the label filter keeps one label's trend", async () => {
        const r = trendsOf(
          await labelTrends(db, {
            bucket: "week",
            from: "2024-01-01T00:00:00Z",
            to: "2024-01-29T00:00:00Z",
            label: "tech",
            terms: 0,
          }),
        );
        assert.deepEqual(r.topics.map((x) => [x.topic, x.total]), [["tech", 20]]);
      });

      await t.step("invalid ranges are refused with their codes", async () => {
        const inverted = await labelTrends(db, {
          bucket: "day",
          from: "2024-02-01T00:00:00Z",
          to: "2024-01-01T00:00:00Z",
          terms: 0,
        });
        assert.deepEqual(inverted, {
          ok: false,
          code: "invalidRange",
          message: "`from` must be before `to`.",
        });
        const long = await labelTrends(db, {
          bucket: "hour",
          from: "2020-01-01T00:00:00Z",
          to: "2024-01-01T00:00:00Z",
          terms: 0,
        });
        assert.equal(!long.ok && long.code, "tooManyBuckets");
        const unknown = await labelTrends(db, { bucket: "day", taxonomy: "weather", terms: 0 });
        assert.equal(!unknown.ok && unknown.code, "unknownTaxonomy");
      });

      await t.step("a range of millennia in hours is refused before it is listed", async () => {
        // 87 million hours: listed first, as it once was, they exhaust the heap.
        const r = await labelTrends(db, {
          bucket: "hour",
          from: "0001-01-01T00:00:00Z",
          to: "9999-12-31T00:00:00Z",
          terms: 10,
        });
        assert.ok(!r.ok);
        assert.equal(r.code, "tooManyBuckets");
        assert.match(r.message, /87649392 hour buckets/);
      });

      await t.step(
        "a stored date in year 9999 does not carry the default range past 2199",
        async () => {
          await ingestArticles(db, [{
            title: "far future",
            body: "",
            publishedAt: "9999-12-31T23:00:00Z",
          }], {
            models: keywordModel,
          });
          for (const bucket of ["hour", "month"] as const) {
            const r = trendsOf(await labelTrends(db, { bucket, terms: 10 }));
            assert.equal(r.to, "2200-01-01T00:00:00.000Z");
            assert.equal(r.dataRange?.last, "9999-12-31T23:00:00.000Z");
          }
        },
      );
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
      // Words only, as they were counted then; their phrases come with the statistics later.
      assert.deepEqual(
        row.terms,
        Object.fromEntries(
          termCounts("Rates rise. The bank raised rates again.", { bigrams: false }),
        ),
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
