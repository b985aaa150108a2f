import assert from "node:assert/strict";
import {
  addArticleStats,
  countsByBucket,
  FOLD_ENTRIES,
  foldPendingStats,
  queueArticleStats,
  queueStoredArticleStats,
  STORED_TERMS_PER_STATEMENT,
  TERM_ROWS_PER_STATEMENT,
} from "./trends.ts";
import {
  ROLL_UP_PAIRS_PER_STATEMENT,
  rollUpTermMonths,
  termCountsForPeriods,
} from "./trend_terms.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { insertArticles } from "./articles.ts";
import { type LoggedStatement, loggingDb, statementsLike } from "../testing/db/statement_log.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`queued statistics count once folded, even with folds at once (${name})`, async () => {
    const { db, close } = await open();
    try {
      const batch = (i: number) =>
        Array.from({ length: 3 }, (_, j) => ({
          publishedAt: `2024-05-0${1 + (j % 2)}T0${i % 10}:30:00Z`,
          topic: j === 2 ? "Sports" : "World",
          source: "wire",
          terms: new Map([["storm", 1 + j], [`word${i}`, 1]]),
        }));
      for (let i = 0; i < 40; i++) await queueArticleStats(db, batch(i));
      const total = async () =>
        (await countsByBucket(db, {
          bucket: "month",
          from: "2024-05-01T00:00:00Z",
          to: "2024-06-01T00:00:00Z",
        })).reduce((n, r) => n + r.count, 0);
      assert.equal(await total(), 0, "not counted before the fold");
      // Three folds at once (as from a timer and two trend reads): each batch once.
      const folded = await Promise.all([1, 2, 3].map(() => foldPendingStats(db)));
      assert.equal(folded.reduce((a, b) => a + b, 0), 120);
      assert.equal(await total(), 120);
      assert.equal(await foldPendingStats(db), 0);
      const terms = await termCountsForPeriods(db, {
        labels: ["World", "Sports"],
        baselineFrom: "2024-04-01T00:00:00Z",
        from: "2024-05-01T00:00:00Z",
        to: "2024-06-01T00:00:00Z",
        minCount: 1,
      });
      assert.equal(terms.get("World")!.current.get("storm"), 40 * (1 + 2));
      assert.equal(terms.get("Sports")!.current.get("storm"), 40 * 3);
      assert.equal(terms.get("World")!.current.get("word7"), 2);
    } finally {
      await close();
    }
  });

  Deno.test(`termCountsForPeriods() reads whole months and edge days alike (${name})`, async () => {
    const { db, close } = await open();
    try {
      // One article a day from 2024-01-01 to 2024-04-30, each with the word "w" once and,
      // from March on, "march" twice.
      const articles = [];
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2024, 4, 1); t += 86_400_000) {
        const d = new Date(t);
        const terms = new Map([["w", 1]]);
        if (d.getUTCMonth() >= 2) terms.set("march", 2);
        articles.push({ publishedAt: d.toISOString(), topic: "T", source: "s", terms });
      }
      await addArticleStats(db, articles);
      const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
      // Before the roll-up every month is read from the daily counts; after it, whole
      // months from the monthly ones (March left changed: a late article arrives).
      for (const phase of ["changed", "rolled up", "one month changed again"]) {
        if (phase === "rolled up") {
          assert.equal(await rollUpTermMonths(db, "2024-05-01"), 4);
          // Proof that whole clean months come from the roll-up: daily rows of late April
          // go, yet a range covering all of April still counts them.
          await db.exec("DELETE FROM term_counts_daily WHERE day >= '2024-04-20'");
        }
        if (phase === "one month changed again") {
          await addArticleStats(db, [{
            publishedAt: "2024-03-15T10:00:00Z",
            topic: "T",
            source: "s",
            terms: new Map([["late", 5]]),
          }]);
        }
        // Periods with ragged edges and whole months inside: [Jan 10, Feb 25) and [Feb 25, Apr 12).
        const got = (await termCountsForPeriods(db, {
          labels: ["T"],
          baselineFrom: "2024-01-10T00:00:00Z",
          from: "2024-02-25T00:00:00Z",
          to: "2024-04-12T00:00:00Z",
          minCount: 1,
        })).get("T")!;
        const late = phase === "one month changed again" ? 1 : 0;
        assert.equal(got.current.get("w"), days("2024-02-25", "2024-04-12"), phase);
        assert.equal(got.current.get("late"), late ? 5 : undefined, phase);
        assert.equal(got.baseline.get("w"), days("2024-01-10", "2024-02-25"), phase);
        assert.equal(got.current.get("march"), 2 * days("2024-03-01", "2024-04-12"), phase);
        assert.equal(got.baseline.has("march"), false);
        const year = (await termCountsForPeriods(db, {
          labels: ["T"],
          baselineFrom: "2023-01-01T00:00:00Z",
          from: "2024-01-01T00:00:00Z",
          to: "2025-01-01T00:00:00Z",
          minCount: 1,
        })).get("T")!;
        assert.equal(year.current.get("w"), days("2024-01-01", "2024-05-01"), phase);
      }
      // A period inside one month reads days only.
      const inside = (await termCountsForPeriods(db, {
        labels: ["T"],
        baselineFrom: "2024-03-03T00:00:00Z",
        from: "2024-03-05T00:00:00Z",
        to: "2024-03-08T00:00:00Z",
        minCount: 1,
      })).get("T")!;
      assert.deepEqual([
        inside.current.get("w"),
        inside.baseline.get("w"),
        inside.current.get("march"),
      ], [3, 2, 6]);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`addArticleStats() upserts more term rows than one statement takes, each once (${name})`, async () => {
    const { db, close } = await open();
    try {
      const n = TERM_ROWS_PER_STATEMENT * 2 + 7;
      const terms = new Map(Array.from({ length: n }, (_, i) => [`t${i}`, 1 + (i % 3)]));
      const article = {
        publishedAt: "2024-05-01T10:00:00Z",
        topic: "World",
        source: "wire",
        terms,
      };
      await addArticleStats(db, [article]);
      await addArticleStats(db, [article]);
      const [row] = await db.query<{ rows: number; total: number }>(
        `SELECT count(*)::int AS rows, sum(count)::int AS total FROM term_counts_daily
          WHERE topic = 'World'`,
      );
      const expected = [...terms.values()].reduce((a, b) => a + b, 0) * 2;
      assert.deepEqual([row.rows, row.total], [n, expected]);
      const [totals] = await db.query<{ terms: number; articles: number }>(
        "SELECT terms::int AS terms, articles FROM term_totals_daily WHERE topic = 'World'",
      );
      assert.deepEqual([totals.terms, totals.articles], [expected, 2]);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`rollUpTermMonths() sums many changed months a few per statement, each once (${name})`, async () => {
    const { db, close } = await open();
    try {
      // Two labels, 30 months each (2020-01 to 2022-06), three articles a month.
      const articles = [];
      for (let m = 0; m < 30; m++) {
        const month = new Date(Date.UTC(2020, m, 1)).toISOString().slice(0, 7);
        for (const topic of ["A", "B"]) {
          for (const day of ["03", "14", "27"]) {
            articles.push({
              publishedAt: `${month}-${day}T12:00:00Z`,
              topic,
              source: "s",
              terms: new Map([["w", 1], [`m${m}`, 2]]),
            });
          }
        }
      }
      await addArticleStats(db, articles);
      const log: LoggedStatement[] = [];
      assert.equal(await rollUpTermMonths(loggingDb(db, log), "2023-01-01"), 60);
      const sums = statementsLike(log, "INSERT INTO term_counts_monthly");
      assert.equal(sums.length, Math.ceil(60 / ROLL_UP_PAIRS_PER_STATEMENT));
      assert.ok(sums.every((s) => s.rows <= ROLL_UP_PAIRS_PER_STATEMENT), JSON.stringify(sums));
      const rows = await db.query<{ topic: string; month: Date; term: string; count: number }>(
        "SELECT topic, month, term, count FROM term_counts_monthly ORDER BY topic, month, term",
      );
      assert.equal(rows.length, 60 * 2);
      assert.ok(rows.every((r) => r.count === (r.term === "w" ? 3 : 6)));
      const [dirty] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM term_rollup_dirty",
      );
      assert.equal(dirty.n, 0);
      assert.equal(await rollUpTermMonths(db, "2023-01-01"), 0);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`foldPendingStats() folds large batches a bounded number of entries a transaction (${name})`, async () => {
    const { db, close } = await open();
    try {
      const size = Math.ceil(FOLD_ENTRIES * 0.6);
      for (let b = 0; b < 5; b++) {
        await queueArticleStats(
          db,
          Array.from({ length: size }, (_, i) => ({
            publishedAt: `2024-05-0${1 + (i % 3)}T10:00:00Z`,
            topic: i % 2 ? "World" : "Sports",
            source: "wire",
            terms: new Map([["storm", 1], [`w${b}-${i}`, 2]]),
          })),
        );
      }
      const log: LoggedStatement[] = [];
      assert.equal(await foldPendingStats(loggingDb(db, log)), 5 * size);
      // Two batches bring a fold to the bound: three folds for five batches.
      assert.equal(statementsLike(log, "DELETE FROM trend_stats_pending").length, 3);
      const [row] = await db.query<{ storm: number; words: number }>(
        `SELECT sum(count) FILTER (WHERE term = 'storm')::int AS storm,
                count(*) FILTER (WHERE term <> 'storm')::int AS words
           FROM term_counts_daily`,
      );
      assert.deepEqual(row, { storm: 5 * size, words: 5 * size });
      assert.equal(await foldPendingStats(db), 0);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`foldPendingStats() reads stored terms a bounded number of articles a statement (${name})`, async () => {
    const { db, close } = await open();
    try {
      const n = STORED_TERMS_PER_STATEMENT.pglite * 3 + 1;
      const stored = await insertArticles(
        db,
        Array.from({ length: n }, (_, i) => ({
          externalId: `t-${i}`,
          url: null,
          title: `Storm ${i}`,
          body: "storm",
          source: "wire",
          category: null,
          language: "en",
          publishedAt: "2024-05-01T10:00:00Z",
          contentHash: `h${i}`,
          dedupKey: `ext:t-${i}`,
          terms: new Map([["storm", 1], [`w${i}`, 2]]),
        })),
      );
      await queueStoredArticleStats(
        db,
        stored.map((a) => ({
          article: a.id,
          publishedAt: "2024-05-01T10:00:00Z",
          topic: "World",
          source: "wire",
        })),
      );
      const log: LoggedStatement[] = [];
      assert.equal(await foldPendingStats(loggingDb(db, log)), n);
      // Embedded: a statement every 10 articles; PostgreSQL reads them off the event loop.
      assert.equal(
        statementsLike(log, "SELECT id, terms FROM articles").length,
        db.kind === "pglite" ? 4 : 1,
      );
      const [row] = await db.query<{ storm: number; words: number }>(
        `SELECT sum(count) FILTER (WHERE term = 'storm')::int AS storm,
                count(*) FILTER (WHERE term <> 'storm')::int AS words
           FROM term_counts_daily`,
      );
      assert.deepEqual(row, { storm: n, words: n });
    } finally {
      await close();
    }
  });
}
