import assert from "node:assert/strict";
import { queueArticleStats } from "../../../../db/trends.ts";
import { pgliteTestDb } from "../../../../testing/db/test_db.ts";
import { labelTrends } from "../../../../services/trends.ts";
import { trendsForPage } from "./load.ts";

Deno.test("the default trends range of data dated within one day is that day, in hours", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    // As when only the AG News sample is seeded: every article dated at ingestion.
    await queueArticleStats(db, [
      { publishedAt: "2026-03-01T10:05:00Z", topic: "World", source: "agnews", terms: new Map() },
      { publishedAt: "2026-03-01T10:40:00Z", topic: "Sports", source: "agnews", terms: new Map() },
    ]);
    const page = await trendsForPage(db, {});
    assert.deepEqual(
      [page.query.bucket, page.query.from, page.query.to],
      ["hour", "2026-03-01", "2026-03-02"],
    );
    // The range the page hands to the chart is one the trends answer accepts.
    const answer = await labelTrends(db, {
      bucket: "hour",
      from: page.query.from,
      to: page.query.to,
      terms: 0,
    });
    assert.equal(answer.ok, true);
  } finally {
    await close();
  }
});
