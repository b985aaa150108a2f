/** The `newsintel` program: one command with a subcommand per job. */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { ConfigError } from "../lib/config.ts";
import { migrateCommand } from "./migrate.ts";
import { seedCommand } from "./seed.ts";
import { serveCommand } from "./serve.ts";
import { trainCommand } from "./train.ts";
import { evaluateCommand } from "./evaluate.ts";
import { modelsCommand } from "./models.ts";
import { bundleCommand } from "./bundle.ts";
import { exportCommand } from "./export.ts";
import { labelIssuesCommand } from "./label_issues.ts";
import { runsCommand } from "./runs.ts";
import { backupCommand, restoreCommand } from "./backup.ts";
import { retrainCommand } from "./retrain.ts";
import { storiesCommand } from "./stories.ts";

export function buildCli() {
  return new Command("newsintel")
    .description("News topic intelligence: ingest, classify, summarize, review and trends.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(seedCommand())
    .addCommand(trainCommand())
    .addCommand(retrainCommand())
    .addCommand(evaluateCommand())
    .addCommand(labelIssuesCommand())
    .addCommand(modelsCommand())
    .addCommand(bundleCommand())
    .addCommand(exportCommand())
    .addCommand(runsCommand())
    .addCommand(backupCommand())
    .addCommand(restoreCommand())
    .addCommand(storiesCommand());
}

/** Runs the CLI; failures print one line to stderr and exit with status 1. */
export async function runCli(argv: string[]): Promise<void> {
  const cli = buildCli().exitOverride();
  try {
    await cli.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help/version text).
      Deno.exit(err.exitCode);
    }
    const message = err instanceof ConfigError
      ? err.message
      : err instanceof Error
      ? err.message
      : String(err);
    // deno-lint-ignore no-console
    console.error(`newsintel: ${message}`);
    Deno.exit(1);
  }
}
