/**
 * Migration 0012 keeps what was stored before taxonomies valid: the registry, the
 * activation history, the trend counters and the statistics still pending a fold all
 * become the `topic` taxonomy's, and read as they did.
 */
import assert from "node:assert/strict";
import { loadMigrations, migrate } from "./migrate.ts";
import { activeModelVersion, activeModelVersions, listModels } from "./models.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { countsByBucket, foldPendingStats } from "./trends.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`migration 0012 makes earlier data the topic taxonomy's (${name})`, async () => {
    const { db, close } = await open();
    try {
      // open() migrates fully; start again from an empty schema migrated up to 0011.
      const [{ schema }] = await db.query<{ schema: string }>(
        "SELECT current_schema() AS schema",
      );
      await db.exec(`DROP SCHEMA "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
      const all = await loadMigrations();
      await migrate(db, all.filter((m) => m.version < "0012"));
      await db.exec(`
        INSERT INTO models (version, name, labels, origin, location)
        VALUES ('v1', 'agnews-topics', '["sport"]', 'trained', 'v1'),
               ('v2', 'agnews-topics', '["sport"]', 'trained', 'v2');
        INSERT INTO model_activations (version, action, actor)
        VALUES ('v1', 'bootstrap', 'first start'), ('v2', 'promote', 'cli');
        INSERT INTO article_counts_hourly (hour, topic, source, count)
        VALUES ('2024-03-01T10:00:00Z', 'sport', '', 2);
        INSERT INTO article_counts_daily (day, topic, source, count)
        VALUES ('2024-03-01', 'sport', '', 2);
        INSERT INTO trend_stats_pending (stats)
        VALUES ('[{"publishedAt":"2024-03-01T11:00:00Z","topic":"sport","source":"","terms":[["goal",1]]}]');
      `);
      await migrate(db);
      assert.deepEqual((await listModels(db)).map((m) => [m.version, m.taxonomy, m.active]), [
        ["v2", "topic", true],
        ["v1", "topic", false],
      ]);
      assert.equal(await activeModelVersion(db), "v2");
      assert.deepEqual(await activeModelVersions(db), [{ taxonomy: "topic", version: "v2" }]);
      // The batch queued before the migration folds into the same topic counters.
      assert.equal(await foldPendingStats(db), 1);
      const day = { from: "2024-03-01T00:00:00Z", to: "2024-03-02T00:00:00Z" };
      const daily = await countsByBucket(db, { bucket: "day", ...day });
      assert.deepEqual(daily.map((r) => [r.label, r.count]), [["sport", 3]]);
      const hourly = await countsByBucket(db, { bucket: "hour", ...day });
      assert.deepEqual(hourly.map((r) => [r.bucket.slice(11, 13), r.count]), [["10", 2], [
        "11",
        1,
      ]]);
      const section = await countsByBucket(db, {
        bucket: "day",
        from: "2024-03-01T00:00:00Z",
        to: "2024-03-02T00:00:00Z",
        taxonomy: "section",
      });
      assert.deepEqual(section, []);
    } finally {
      await close();
    }
  });
}
