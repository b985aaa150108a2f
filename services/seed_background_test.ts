import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { countArticles } from "../db/articles.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { createMetrics } from "../lib/metrics.ts";
import { ingestArticles } from "./ingest.ts";
import { seedInBackground } from "./seed_background.ts";

const SAMPLE = fileURLToPath(new URL("../datasets/testdata/huffpost.jsonl", import.meta.url));

Deno.test("seedInBackground() seeds an empty database, its progress in the gauges", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const metrics = createMetrics();
    const seed = seedInBackground(db, { services: {}, metrics, datasets: [SAMPLE] });
    await seed.finished;
    const p = seed.progress();
    assert.equal(p.state, "done");
    assert.ok(p.total > 0);
    assert.equal(p.read, p.total);
    assert.equal(await countArticles(db), p.created);
    const { gauges } = await metrics.json();
    assert.equal(gauges.newsintel_seed_records_total, p.total);
    assert.equal(gauges.newsintel_seed_records_read, p.total);
  } finally {
    await close();
  }
});

Deno.test("seedInBackground() leaves a database that holds articles as it is", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    await ingestArticles(db, [{ title: "Already here", body: "One article." }]);
    const seed = seedInBackground(db, { services: {}, datasets: [SAMPLE] });
    await seed.finished;
    assert.equal(seed.progress().state, "idle");
    assert.equal(await countArticles(db), 1);
  } finally {
    await close();
  }
});

Deno.test("seedInBackground() stops between batches once aborted", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const stop = new AbortController();
    stop.abort();
    const seed = seedInBackground(db, { services: {}, datasets: [SAMPLE], signal: stop.signal });
    await seed.finished;
    assert.equal(seed.progress().state, "stopped");
    assert.equal(await countArticles(db), 0);
  } finally {
    await close();
  }
});
