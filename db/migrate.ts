/**
 * Forward-only SQL migrations from `migrations/NNNN_name.sql`, each applied in
 * its own transaction under a PostgreSQL advisory lock, so replicas starting at
 * once cannot race; applied versions and file checksums are recorded in
 * `schema_migrations`, and an applied file that has since changed is an error.
 */
import { createHash } from "node:crypto";
import type { Db } from "./mod.ts";

/** Arbitrary constant naming "newsintel migrations" for pg_advisory_xact_lock. */
const MIGRATION_LOCK_KEY = 7_424_019_311;

export const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  version: string;
  name: string;
  appliedAt: Date | null;
}

/** Reads the migration files in version order. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = /^(\d{4})_([\w-]+)\.sql$/.exec(entry.name);
    if (!entry.isFile || !match) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    migrations.push({
      version: match[1],
      name: match[2],
      sql,
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  }
  return migrations.sort((a, b) => a.version.localeCompare(b.version));
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    text PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function applied(db: Db): Promise<Map<string, { checksum: string; applied_at: Date }>> {
  const exists = await db.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (!exists[0]?.t) return new Map();
  const rows = await db.query<{ version: string; checksum: string; applied_at: Date }>(
    "SELECT version, checksum, applied_at FROM schema_migrations",
  );
  return new Map(rows.map((r) => [r.version, r]));
}

/** Lists every migration with when it was applied (`null` when pending). */
export async function migrationStatus(
  db: Db,
  migrations?: Migration[],
): Promise<MigrationStatus[]> {
  const all = migrations ?? await loadMigrations();
  const done = await applied(db);
  return all.map((m) => ({
    version: m.version,
    name: m.name,
    appliedAt: done.get(m.version)?.applied_at ?? null,
  }));
}

/**
 * Applies the pending migrations; returns the versions it applied (none when
 * up to date). Throws when an applied migration's file has changed.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? await loadMigrations();
  const appliedNow: string[] = [];
  for (const m of all) {
    const did = await db.transaction(async (tx) => {
      // A migration may rewrite a large table, and waits for another process's:
      // neither is bound by the connection's statement_timeout.
      await tx.exec("SET LOCAL statement_timeout = 0");
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await tx.exec(CREATE_TABLE);
      const [row] = await tx.query<{ checksum: string }>(
        "SELECT checksum FROM schema_migrations WHERE version = $1",
        [m.version],
      );
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new Error(
            `migration ${m.version}_${m.name} was changed after it was applied; ` +
              "migrations are forward-only: add a new one instead",
          );
        }
        return false;
      }
      await tx.exec(m.sql);
      await tx.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        [m.version, m.name, m.checksum],
      );
      return true;
    });
    if (did) appliedNow.push(m.version);
  }
  return appliedNow;
}

/** True when every migration file has been applied. */
export async function migrationsCurrent(db: Db, migrations?: Migration[]): Promise<boolean> {
  return (await migrationStatus(db, migrations)).every((s) => s.appliedAt !== null);
}

/** What readiness reports: whether the database answers, and whether its schema is current. */
export interface Readiness {
  database: "ok" | "unreachable";
  migrations: "current" | "pending" | "unknown";
}

/** Checks that the database answers and every migration is applied; never throws. */
export async function readiness(db: Db): Promise<Readiness> {
  try {
    await db.query("SELECT 1");
    return { database: "ok", migrations: await migrationsCurrent(db) ? "current" : "pending" };
  } catch {
    return { database: "unreachable", migrations: "unknown" };
  }
}
