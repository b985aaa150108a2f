/** `newsintel migrate` as a subprocess, on the embedded database and on PostgreSQL. */
import assert from "node:assert/strict";
import postgres from "postgres";
import { loadMigrations } from "../db/migrate.ts";
import { postgresTestUrl, withSearchPath } from "../testing/db/test_db.ts";
import { newsintel, type Run } from "../testing/cli/test_run.ts";

function json<T>(run: Run): T {
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

interface Status {
  version: string;
  name: string;
  appliedAt: string | null;
}

Deno.test("migrate --status --json shows pending migrations, then applied ones after migrate", async () => {
  const versions = (await loadMigrations()).map((m) => m.version);
  const data = await Deno.makeTempDir();
  const env = { DB_URL: `pglite://${data}/db`, DATA_DIR: data };
  try {
    const before = json<Status[]>(await newsintel(["migrate", "--status", "--json"], env));
    assert.deepEqual(before.map((s) => s.version), versions);
    assert.ok(before.every((s) => s.appliedAt === null));

    const started = Date.now();
    assert.deepEqual(json(await newsintel(["migrate", "--json"], env)), { applied: versions });

    const after = json<Status[]>(await newsintel(["migrate", "--status", "--json"], env));
    assert.deepEqual(after.map((s) => s.version), versions);
    for (const s of after) {
      assert.ok(s.appliedAt !== null && Date.parse(s.appliedAt) >= started - 60_000, s.version);
    }

    const again = await newsintel(["migrate"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, "database is up to date\n");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test({
  name: "migrate from two processes at once on PostgreSQL records each migration once",
  ignore: !postgresTestUrl(),
  async fn() {
    const url = postgresTestUrl()!;
    const versions = (await loadMigrations()).map((m) => m.version);
    const schema = `t_migrate_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const data = await Deno.makeTempDir();
    try {
      await admin.unsafe(`CREATE SCHEMA ${schema}`);
      const env = { DB_URL: withSearchPath(url, schema), DATA_DIR: data };
      const runs = await Promise.all([
        newsintel(["migrate", "--json"], env),
        newsintel(["migrate", "--json"], env),
      ]);
      const applied = runs.map((r) => json<{ applied: string[] }>(r).applied);
      // Between them the two applied every migration, and no migration twice.
      assert.deepEqual([...applied[0], ...applied[1]].sort(), versions);
      const rows = await admin.unsafe<{ version: string; n: number }[]>(
        `SELECT version, count(*)::int AS n FROM ${schema}.schema_migrations GROUP BY version
          ORDER BY version`,
      );
      assert.deepEqual(rows.map((r) => [r.version, r.n]), versions.map((v) => [v, 1]));
      const [{ t }] = await admin.unsafe<{ t: string | null }[]>(
        `SELECT to_regclass('${schema}.articles')::text AS t`,
      );
      assert.equal(t, `${schema}.articles`);
    } finally {
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      await Deno.remove(data, { recursive: true });
    }
  },
});
