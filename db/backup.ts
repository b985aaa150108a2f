/**
 * The SQL a backup and a restore need: what a database holds (to record in a backup and
 * check after a restore), whether a restore target is empty, and a snapshot a `pg_dump`
 * can share so the counts recorded describe exactly the rows dumped.
 */
import type { Queryable } from "./driver.ts";

/** Rows a backup holds, recorded at backup time and counted again after a restore. */
export interface BackupCounts {
  articles: number;
  reviewItems: number;
  reviewLabels: number;
  models: number;
  /** The newest migration applied, e.g. `0011`; null on an empty database. */
  migration: string | null;
}

/** Counts what the database holds (in the caller's transaction or snapshot, if any). */
export async function backupCounts(db: Queryable): Promise<BackupCounts> {
  const [row] = await db.query<Omit<BackupCounts, "migration">>(
    `SELECT (SELECT count(*) FROM articles)::int8 AS "articles",
            (SELECT count(*) FROM review_items)::int8 AS "reviewItems",
            (SELECT count(*) FROM review_labels)::int8 AS "reviewLabels",
            (SELECT count(*) FROM models)::int8 AS "models"`,
  );
  const [migration] = await db.query<{ version: string }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  return { ...row, migration: migration?.version ?? null };
}

/**
 * The tables of the current schema (`search_path`'s first), by name. A restore target
 * holding any is not empty: restoring over it needs `--force`.
 */
export async function schemaTables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables
      WHERE schemaname = current_schema() ORDER BY tablename`,
  );
  return rows.map((r) => r.name);
}

/**
 * Starts a repeatable-read snapshot in the caller's transaction (PostgreSQL only) and
 * exports it for `pg_dump --snapshot`. The transaction must stay open until the dump has
 * taken the snapshot, so it is exempt from the idle-in-transaction timeout (the dump of
 * a large database takes longer than that), and from the statement timeout.
 */
export async function exportSnapshot(tx: Queryable): Promise<string> {
  await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  await tx.exec("SET LOCAL idle_in_transaction_session_timeout = 0");
  await tx.exec("SET LOCAL statement_timeout = 0");
  const [row] = await tx.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
  return row.id;
}
