/**
 * Databases for tests: a migrated in-memory PGlite per test file, and, when
 * `TEST_DB_URL` is set, a fresh PostgreSQL schema per test file so test files
 * can run in parallel against one server.
 */
import postgres from "postgres";
import type { Db } from "../../db/mod.ts";
import { migrate } from "../../db/migrate.ts";
import { openPostgres } from "../../db/postgres.ts";
import { openPglite } from "../../db/pglite.ts";

export interface TestDb {
  name: "pglite" | "postgres";
  db: Db;
  /** Empties every table (keeps the schema). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function truncateAll(db: Db): Promise<void> {
  const tables = await db.query<{ t: string }>(
    `SELECT quote_ident(tablename) AS t FROM pg_tables
      WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
  );
  if (tables.length) {
    await db.exec(`TRUNCATE ${tables.map((r) => r.t).join(", ")} RESTART IDENTITY CASCADE`);
  }
}

/** A migrated in-memory PGlite. */
export async function pgliteTestDb(): Promise<TestDb> {
  // The driver's own opener, so tests parse values exactly as the service does.
  const db = await openPglite("memory");
  await migrate(db);
  return { name: "pglite", db, reset: () => truncateAll(db), close: () => db.close() };
}

/** The PostgreSQL URL for tests, or undefined when database tests run on PGlite only. */
export function postgresTestUrl(): string | undefined {
  return Deno.env.get("TEST_DB_URL") || undefined;
}

/** A migrated, private schema on the `TEST_DB_URL` server, dropped on close. */
export async function postgresTestDb(url: string): Promise<TestDb & { url: string }> {
  const schema = await freshSchema(url);
  const db = openPostgres(schema.url, { max: 4 });
  await migrate(db);
  return {
    name: "postgres",
    db,
    url: schema.url,
    reset: () => truncateAll(db),
    async close() {
      await db.close();
      await schema.drop();
    },
  };
}

/**
 * A new, empty schema on the server at `url`: its name and URL, `drop` to remove it, and
 * `keep` to leave it there (either closes the connection that made it).
 * Throws when the server cannot be reached (within 5 s).
 */
export async function freshSchema(
  url: string,
  prefix = "t",
): Promise<
  { name: string; url: string; drop: () => Promise<void>; keep: () => Promise<void> }
> {
  const schema = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    await admin.end();
    throw err;
  }
  return {
    name: schema,
    url: withSearchPath(url, schema),
    drop: async () => {
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
    keep: () => admin.end(),
  };
}

/** Adds `options=-c search_path=SCHEMA` to a postgres URL. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

/** Every test database to run a suite on: PGlite always, PostgreSQL when configured. */
export function testDatabases(): Array<
  { name: "pglite" | "postgres"; open: () => Promise<TestDb> }
> {
  const url = postgresTestUrl();
  return [
    { name: "pglite", open: pgliteTestDb },
    ...(url ? [{ name: "postgres" as const, open: () => postgresTestDb(url) }] : []),
  ];
}
