import assert from "node:assert/strict";
import { analyzeGrowingTables, vacuumChurningTables } from "./maintenance.ts";
import { testDatabases } from "../testing/db/test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`maintenance names real tables and leaves the data alone (${name})`, async () => {
    const { db, close } = await open();
    try {
      await db.query(`INSERT INTO trend_stats_pending (stats) VALUES ('[]'::jsonb)`);
      await db.query(`DELETE FROM trend_stats_pending`);
      await db.query(`INSERT INTO trend_stats_pending (stats) VALUES ('[1]'::jsonb)`);
      await vacuumChurningTables(db);
      await analyzeGrowingTables(db);
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM trend_stats_pending`,
      );
      assert.equal(rows[0].n, 1);
      if (name === "pglite") {
        // PGlite keeps no background statistics, so ANALYZE is what fills pg_stats' tables.
        const analyzed = await db.query<{ n: number }>(
          `SELECT count(DISTINCT tablename)::int AS n FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = 'trend_stats_pending'`,
        );
        assert.equal(analyzed[0].n, 1);
      }
    } finally {
      await close();
    }
  });
}
