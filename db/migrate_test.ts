import assert from "node:assert/strict";
import { loadMigrations, migrate, migrationsCurrent, migrationStatus } from "./migrate.ts";
import { testDatabases } from "../testing/db/test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`migrations (${name})`, async (t) => {
    const { db, close } = await open();
    try {
      await t.step("migrate() applied every migration and re-running it is a no-op", async () => {
        const files = await loadMigrations();
        assert.ok(files.length >= 1);
        assert.deepEqual(await migrate(db), []);
        const status = await migrationStatus(db);
        assert.deepEqual(status.map((s) => s.version), files.map((f) => f.version));
        assert.ok(status.every((s) => s.appliedAt instanceof Date));
        assert.equal(await migrationsCurrent(db), true);
      });

      await t.step("migrate() refuses an applied migration whose file changed", async () => {
        const files = await loadMigrations();
        const changed = files.map((f, i) => i === 0 ? { ...f, checksum: "0".repeat(64) } : f);
        await assert.rejects(() => migrate(db, changed), /changed after it was applied/);
      });

      await t.step("a new migration shows as pending, then applies once", async () => {
        const files = await loadMigrations();
        const extra = {
          version: "9999",
          name: "probe",
          sql: "CREATE TABLE migration_probe (id int); INSERT INTO migration_probe VALUES (1);",
          checksum: "probe",
        };
        assert.equal(await migrationsCurrent(db, [...files, extra]), false);
        const pending = (await migrationStatus(db, [...files, extra])).at(-1)!;
        assert.equal(pending.appliedAt, null);
        assert.deepEqual(await migrate(db, [...files, extra]), ["9999"]);
        assert.deepEqual(await migrate(db, [...files, extra]), []);
        const rows = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM migration_probe",
        );
        assert.equal(rows[0].n, 1);
      });

      await t.step("a failing migration leaves nothing half-applied", async () => {
        const files = await loadMigrations();
        const broken = {
          version: "9998",
          name: "broken",
          sql: "CREATE TABLE half_done (id int); SELECT no_such_function();",
          checksum: "broken",
        };
        await assert.rejects(() => migrate(db, [...files, broken]));
        const exists = await db.query<{ t: string | null }>(
          "SELECT to_regclass('half_done')::text AS t",
        );
        assert.equal(exists[0].t, null);
        const recorded = await db.query("SELECT 1 FROM schema_migrations WHERE version = '9998'");
        assert.equal(recorded.length, 0);
      });
    } finally {
      await close();
    }
  });
}

if (Deno.env.get("TEST_DB_URL")) {
  Deno.test("migrate() from several connections at once applies each migration once (postgres)", async () => {
    const { postgresTestDb, withSearchPath } = await import("../testing/db/test_db.ts");
    const { openPostgres } = await import("./postgres.ts");
    const base = await postgresTestDb(Deno.env.get("TEST_DB_URL")!);
    // A second schema that nothing has migrated yet, reached through separate pools.
    const schema = `race_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await base.db.exec(`CREATE SCHEMA ${schema}`);
    const url = withSearchPath(Deno.env.get("TEST_DB_URL")!, schema);
    const pools = Array.from({ length: 4 }, () => openPostgres(url, { max: 2 }));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const all = results.flat().sort();
      const files = (await loadMigrations()).map((f) => f.version);
      assert.deepEqual(all, files);
      const rows = await pools[0].query<{ n: number }>(
        "SELECT count(*)::int AS n FROM schema_migrations",
      );
      assert.equal(rows[0].n, files.length);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      await base.db.exec(`DROP SCHEMA ${schema} CASCADE`);
      await base.close();
    }
  });
}
