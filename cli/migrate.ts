/** `newsintel migrate`: apply pending migrations, or list them with `--status`. */
import { Command } from "@commander-js/extra-typings";
import { migrate, migrationStatus } from "../db/migrate.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";

export function migrateCommand() {
  return new Command("migrate")
    .description("apply pending database migrations (forward-only, safe to run from many replicas)")
    .option("--status", "list applied and pending migrations instead of applying them")
    .option("--json", "print the result as JSON")
    .action(async (options) => {
      const config = await startCommand();
      await withDb(config, async (db) => {
        if (options.status) {
          const status = await migrationStatus(db);
          if (options.json) return printJson(status);
          for (const s of status) {
            print(
              `${s.version}  ${s.name.padEnd(32)} ${
                s.appliedAt ? `applied ${s.appliedAt.toISOString()}` : "pending"
              }`,
            );
          }
          return;
        }
        const applied = await migrate(db);
        if (options.json) printJson({ applied });
        else print(applied.length ? `applied ${applied.join(", ")}` : "database is up to date");
      });
    });
}
