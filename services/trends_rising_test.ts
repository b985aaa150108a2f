// Rising phrases on a synthetic corpus, spikes only against a full baseline of data, and the
// phrases of articles stored before they were counted.
import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { insertArticles } from "../db/articles.ts";
import { addArticleStats, foldPendingStats } from "../db/trends.ts";
import { articleTerms, termCounts } from "../ml/terms.ts";
import { addPhrasesToOlderArticles } from "./article_phrases.ts";
import { ingestArticles } from "./ingest.ts";
import { toNewArticle } from "./article_rows.ts";
import { fillArticleTerms, labelTrends } from "./trends.ts";

const day = (d: number) => new Date(Date.UTC(2024, 2, d, 10)).toISOString();
const SUBJECTS = ["oil prices", "bond yields", "retail sales", "factory orders", "jobs data"];

for (const { name, open } of testDatabases()) {
  Deno.test(`labelTrends() lists a planted phrase rising in the latest bucket (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      // 14 days of varied business news (no model: one unclassified topic), then a day on
      // which "saudi aramco" is in every other headline.
      const articles = [];
      for (let d = 1; d <= 14; d++) {
        for (let i = 0; i < 6; i++) {
          const subject = SUBJECTS[(d + i) % SUBJECTS.length];
          articles.push({
            title: `Markets watch ${subject} on day ${d}`,
            body: `Traders weighed ${subject} and central bank remarks.`,
            publishedAt: day(d),
          });
        }
      }
      for (let i = 0; i < 8; i++) {
        articles.push({
          title: i % 2
            ? `Saudi Aramco listing draws investors ${i}`
            : `Markets watch oil prices ${i}`,
          body: i % 2
            ? "The Saudi Aramco offering is the largest ever."
            : "Traders weighed oil prices.",
          publishedAt: day(15),
        });
      }
      await ingestArticles(db, articles);
      const outcome = await labelTrends(db, {
        bucket: "day",
        from: "2024-03-01T00:00:00Z",
        to: "2024-03-16T00:00:00Z",
        terms: 10,
      });
      assert.ok(outcome.ok);
      const r = outcome.value;
      assert.deepEqual(r.risingPeriod, {
        baselineFrom: "2024-03-08T00:00:00.000Z",
        from: "2024-03-15T00:00:00.000Z",
        to: "2024-03-16T00:00:00.000Z",
      });
      const [topic] = r.topics;
      const aramco = topic.risingTerms.find((t) => t.term === "saudi aramco");
      assert.ok(aramco, JSON.stringify(topic.risingTerms.map((t) => t.term)));
      assert.equal(topic.risingTerms[0].term, "saudi aramco");
      assert.equal(aramco.phrase, true);
      assert.equal(aramco.count, 8); // title and body of 4 articles
      assert.equal(aramco.baselineCount, 0);
      assert.ok(aramco.total > 0 && aramco.baselineTotal > aramco.total);
      assert.ok(aramco.explanation.includes("8 of"), aramco.explanation);
      // "aramco" is all "saudi aramco": the phrase stands for it. Steady terms do not rise.
      const terms = topic.risingTerms.map((t) => t.term);
      assert.ok(!terms.includes("aramco"));
      assert.ok(!terms.includes("oil prices") && !terms.includes("markets"));
    } finally {
      await close();
    }
  });

  Deno.test(`labelTrends() flags no spike without a full baseline of data (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      // A busy first day (a data set's first month), then a steady 3 a day, then a burst.
      const articles = [];
      const per = (d: number) => d === 1 ? 40 : d === 12 ? 30 : 3;
      for (let d = 1; d <= 12; d++) {
        for (let i = 0; i < per(d); i++) {
          articles.push({ title: `item ${d} ${i}`, body: "text", publishedAt: day(d) });
        }
      }
      await ingestArticles(db, articles);
      const outcome = await labelTrends(db, {
        bucket: "day",
        from: "2024-02-20T00:00:00Z",
        to: "2024-03-13T00:00:00Z",
        terms: 0,
      });
      assert.ok(outcome.ok);
      const r = outcome.value;
      const [topic] = r.topics;
      // Day 1 jumps from the empty days before the data: no baseline, no spike. Days 2-7
      // have fewer than 7 days of data before them. Day 12 is a real burst.
      assert.deepEqual(topic.spikes.map((s) => s.bucket), ["2024-03-12T00:00:00.000Z"]);
      const first = topic.series.find((p) => p.bucket === "2024-03-01T00:00:00.000Z")!;
      assert.equal(first.spike, false);
      assert.equal(first.score, 0);
    } finally {
      await close();
    }
  });

  Deno.test(`addPhrasesToOlderArticles() counts the phrases of older articles once (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const title = "Saudi Aramco listing";
      const body = "Saudi Aramco shares rose on the first day.";
      // Stored and counted before phrases were: words only.
      const [a] = await insertArticles(db, [
        toNewArticle({ title, body, publishedAt: day(3), source: "wire" }),
      ]);
      assert.equal(await fillArticleTerms(db), 1);
      await addArticleStats(db, [{
        publishedAt: day(3),
        topic: "",
        source: "wire",
        terms: termCounts(`${title}. ${body}`, { bigrams: false }),
      }]);
      assert.equal(await addPhrasesToOlderArticles(db), 1);
      assert.equal(await addPhrasesToOlderArticles(db), 0, "nothing left to add");
      await foldPendingStats(db);
      const [stored] = await db.query<{ terms: Record<string, number>; pending: boolean | null }>(
        "SELECT terms, phrases_pending AS pending FROM articles WHERE id = $1",
        [a.id],
      );
      assert.deepEqual(stored.terms, Object.fromEntries(articleTerms(title, body)));
      assert.equal(stored.pending, null);
      const counts = await db.query<{ term: string; count: number }>(
        "SELECT term, count FROM term_counts_daily WHERE term IN ('saudi aramco', 'aramco') ORDER BY term",
      );
      assert.deepEqual(counts.map((c) => [c.term, c.count]), [["aramco", 2], ["saudi aramco", 2]]);
      const [totals] = await db.query<{ articles: number; phrases: number }>(
        "SELECT articles, phrases::int AS phrases FROM term_totals_daily",
      );
      // Still one article; its phrases have their own total.
      assert.deepEqual([totals.articles, totals.phrases], [
        1,
        [...articleTerms(title, body).entries()]
          .filter(([t]) => t.includes(" ")).reduce((n, [, c]) => n + c, 0),
      ]);
      const [hours] = await db.query<{ n: number }>(
        "SELECT sum(count)::int AS n FROM article_counts_hourly",
      );
      assert.equal(hours.n, 1);
    } finally {
      await close();
    }
  });
}
