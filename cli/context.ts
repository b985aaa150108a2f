/** What every subcommand starts with: configuration, logging and the database. */
import { type Config, loadConfig } from "../lib/config.ts";
import { setupLogging } from "../lib/log.ts";
import { type Db, openDb } from "../db/mod.ts";
import { migrate } from "../db/migrate.ts";

/** Parses the environment and configures logging. */
export async function startCommand(): Promise<Config> {
  const config = loadConfig(Deno.env.toObject());
  await setupLogging({ json: config.logJson, level: config.logLevel });
  return config;
}

/**
 * Opens the database, runs `fn`, and closes it again whatever happens. With
 * `migrate`, pending migrations are applied first (commands that write data).
 */
export async function withDb<T>(
  config: Config,
  fn: (db: Db) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const db = await openDb(config.dbUrl);
  try {
    if (options.migrate) await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Writes a line to standard output (the CLI's result, not a log line). */
export function print(line: string): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/** Prints a value as JSON. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
