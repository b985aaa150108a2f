/** `newsintel backup` and `newsintel restore`: the database and the model files, in one file. */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { createBackup, restoreBackup } from "../services/backup/mod.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";

/** `newsintel-20261201T084500Z.tar.gz`: sorts by time, no characters a shell minds. */
function defaultName(now: Date): string {
  return `newsintel-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.tar.gz`;
}

export function backupCommand() {
  return new Command("backup")
    .description(
      "write the database and every registered model's files to one .tar.gz with a manifest " +
        "of sha256s, signed with BACKUP_KEY when set (PostgreSQL: pg_dump while the service runs; embedded database: stop " +
        "the service first, it allows one process at a time)",
    )
    .option("--out <file>", "where to write it (default: DATA_DIR/backups/newsintel-TIME.tar.gz)")
    .option("--json", "print the manifest as JSON")
    .action(async (options) => {
      const config = await startCommand();
      const now = new Date();
      const out = options.out ?? join(config.dataDir, "backups", defaultName(now));
      if (!options.out) await Deno.mkdir(join(config.dataDir, "backups"), { recursive: true });
      const manifest = await withDb(
        config,
        (db) => createBackup(db, config, out, { now }),
        { migrate: true },
      );
      if (options.json) return printJson({ file: out, ...manifest });
      const { size } = await Deno.stat(out);
      const c = manifest.counts;
      print(
        `backed up ${c.articles} articles, ${c.reviewItems} review items, ${c.models} models ` +
          `(${manifest.models.length} with their files${
            manifest.storedModels?.length
              ? `, ${manifest.storedModels.length} in the database's model store`
              : ""
          }) to ${out} (${size} bytes)`,
      );
      print(
        config.backupKey
          ? "signed with BACKUP_KEY: restore checks it against the same key"
          : "not signed (BACKUP_KEY is unset): a restore can only check it against itself",
      );
      for (const s of manifest.skippedModels) print(`  not included: ${s.version}: ${s.reason}`);
    });
}

export function restoreCommand() {
  return new Command("restore")
    .description(
      "restore a backup into the configured database and MODEL_DIR: checks its signature " +
        "(BACKUP_KEY: unsigned or foreign backups are refused) and every file's sha256 first, " +
        "caps what it unpacks (BACKUP_MAX_BYTES), refuses a database that is not empty unless --force, then verifies " +
        "what it restored (stop the service first)",
    )
    .argument("<file>", "a backup written by `newsintel backup`")
    .option("--force", "replace the database and model directories that are there")
    .option("--json", "print the report as JSON")
    .action(async (file, options) => {
      const config = await startCommand();
      const report = await restoreBackup(file, config, { force: options.force });
      if (options.json) {
        return printJson({
          file,
          createdAt: report.manifest.createdAt,
          signature: report.signature,
          counts: report.counts,
          migrated: report.migrated,
          modelsInstalled: report.modelsInstalled,
          modelsPresent: report.modelsPresent,
          modelsFromStore: report.modelsFromStore,
          replaced: report.replaced,
        });
      }
      const c = report.counts;
      print(
        `restored ${file} (taken ${report.manifest.createdAt})` +
          (report.replaced ? ", replacing what was there" : ""),
      );
      print(`  articles      ${c.articles}`);
      print(`  review items  ${c.reviewItems} (${c.reviewLabels} decisions)`);
      print(
        `  models        ${c.models} (files installed: ${report.modelsInstalled.length}, ` +
          `already there: ${report.modelsPresent.length}, ` +
          `from the model store: ${report.modelsFromStore.length})`,
      );
      if (report.migrated.length) print(`  migrations applied: ${report.migrated.join(", ")}`);
      print("verified: counts match the backup's and every restored model's files verify");
      print(
        report.signature === "verified"
          ? "signature: verified against BACKUP_KEY"
          : report.signature === "notChecked"
          ? "signature: present but not checked (BACKUP_KEY is unset)"
          : "signature: none (set BACKUP_KEY to sign backups and to refuse unsigned ones)",
      );
    });
}
