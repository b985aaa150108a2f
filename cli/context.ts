/** What every subcommand starts with: configuration, logging and the database. */
import { type Config, configEnv, loadConfig } from "../lib/config.ts";
import { setupLogging } from "../lib/log.ts";
import { type Db, openDb } from "../db/mod.ts";
import { migrate } from "../db/migrate.ts";
import type { IngestServices } from "../services/ingest.ts";
import { createModelRuntime, ensureActiveModel } from "../services/model_runtime.ts";
import { createTextServices } from "../services/text_services.ts";
import { reviewPolicy } from "../services/review_routing.ts";

/**
 * Parses the environment and configures logging: `info` for long-running
 * commands (`serve`), `warning` for the others, unless `LOG_LEVEL` says.
 */
export async function startCommand(
  options: { verbose?: boolean; bufferedLogs?: boolean } = {},
): Promise<Config> {
  const config = loadConfig(configEnv());
  checkDirectoryPermissions(config);
  await setupLogging({
    json: config.logJson,
    level: config.logLevel ?? (options.verbose ? "info" : "warning"),
    buffered: options.bufferedLogs,
  });
  return config;
}

/**
 * Fails early, naming the flag to add, when `DATA_DIR` or `MODEL_DIR` lies outside
 * the paths Deno was allowed to read and write (`deno task start` allows the
 * project's own `data/` and `models/`), or `BOOTSTRAP_MODEL_DIR` outside what it may read.
 */
function checkDirectoryPermissions(config: Config): void {
  const dirs = [
    { name: "DATA_DIR", path: config.dataDir, needs: ["read", "write"] as const },
    { name: "MODEL_DIR", path: config.modelDir, needs: ["read", "write"] as const },
    ...(config.bootstrapModelDir
      ? [{ name: "BOOTSTRAP_MODEL_DIR", path: config.bootstrapModelDir, needs: ["read"] as const }]
      : []),
  ];
  for (const { name, path, needs } of dirs) {
    for (const access of needs) {
      if (Deno.permissions.querySync({ name: access, path }).state !== "granted") {
        throw new Error(
          `${name}=${path} is outside what this process may ${access}: ` +
            `run Deno with --allow-${access}=${path} as well`,
        );
      }
    }
  }
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
  const db = await openDb(config.dbUrl, {
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
    preparedStatements: config.dbPreparedStatements,
  });
  try {
    if (options.migrate) await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * Runs `fn` with what ingestion needs: the active model (trained first when
 * there is none, as `serve` does), the summarizer and language detection.
 */
export async function withServices<T>(
  db: Db,
  config: Config,
  fn: (services: IngestServices) => Promise<T>,
): Promise<T> {
  await ensureActiveModel(db, config);
  const models = await createModelRuntime(db, config);
  try {
    return await fn({
      models,
      text: await createTextServices(config),
      review: reviewPolicy(config),
      stories: config.storyGrouping,
    });
  } finally {
    await models.close();
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
