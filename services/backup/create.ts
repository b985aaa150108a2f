/**
 * `newsintel backup`: one file holding the database (PGlite's data directory, or a
 * `pg_dump -Fc` of PostgreSQL), whose model store holds the files of stored models, and
 * the directory of every other registered model, each as the bundle `newsintel bundle`
 * writes (never both: a model's bytes are in a backup once), with a manifest of sha256s
 * and the counts the database had.
 */
import { join } from "node:path";
import type { Db, Queryable } from "../../db/mod.ts";
import { type BackupCounts, backupCounts, exportSnapshot } from "../../db/backup.ts";
import { listModels, type ModelRecord } from "../../db/models.ts";
import { storedModelVersions } from "../../db/model_files.ts";
import { pgDump } from "../../db/pg_tools.ts";
import { dumpPgliteDataDir } from "../../db/pglite_backup.ts";
import { bundleModel, ModelDirError } from "../../ml/mod.ts";
import { hashFile, writeBackupArchive } from "./archive.ts";
import { type BackupManifest, DUMP_FILES } from "./manifest.ts";

/** Where the database and models are: `Config`'s fields of the same names. */
export interface BackupTarget {
  dbUrl: string;
  modelDir: string;
  /** `BACKUP_KEY`: signs the manifest (see services/backup/signature.ts); unset = unsigned. */
  backupKey?: string;
}

/** What the database held when its dump was taken (one snapshot: both agree). */
interface Snapshot {
  counts: BackupCounts;
  models: ModelRecord[];
  /** The versions whose files are in the dump's model store. */
  stored: string[];
}

/**
 * Writes a backup of `db` (opened from `target.dbUrl`) and its models to `outFile`,
 * through a temporary file renamed into place; returns its manifest. Throws when a
 * model's directory is missing or does not verify: a backup that could not bring the
 * service back is no backup.
 */
export async function createBackup(
  db: Db,
  target: BackupTarget,
  outFile: string,
  options: { now?: Date } = {},
): Promise<BackupManifest> {
  const folder = join(outFile, "..");
  if (!(await Deno.stat(folder).catch(() => null))?.isDirectory) {
    throw new Error(`cannot write ${outFile}: the folder ${folder} does not exist`);
  }
  // Staged beside the output: the dump needs the same room there anyway.
  const staging = await Deno.makeTempDir({ dir: folder, prefix: ".newsintel-backup-" });
  try {
    const dumpFile = DUMP_FILES[db.kind];
    const { counts, models, stored } = await dumpDatabase(
      db,
      target.dbUrl,
      join(staging, dumpFile),
    );
    const manifest: BackupManifest = {
      format: "newsintel-backup",
      formatVersion: 1,
      createdAt: (options.now ?? new Date()).toISOString(),
      database: { kind: db.kind, file: dumpFile },
      counts,
      models: [],
      storedModels: [],
      skippedModels: [],
      files: {},
    };
    await Deno.mkdir(join(staging, "models"));
    const inStore = new Set(stored);
    for (const model of models) {
      if (inStore.has(model.version)) {
        manifest.storedModels!.push(model.version);
        continue;
      }
      if (model.origin !== "trained" && model.origin !== "imported") {
        manifest.skippedModels.push({
          version: model.version,
          origin: model.origin,
          reason: model.origin === "hub"
            ? "downloaded from the model hub again when needed"
            : `its files are at ${model.location}, outside MODEL_DIR`,
        });
        continue;
      }
      const file = `models/${model.version}.tar.gz`;
      try {
        await bundleModel(join(target.modelDir, model.location), join(staging, file));
      } catch (err) {
        if (!(err instanceof ModelDirError)) throw err;
        throw new Error(
          `model ${model.version} cannot be backed up: ${err.message} ` +
            "(restore its directory, or re-import its bundle, then back up again)",
          { cause: err },
        );
      }
      manifest.models.push({ version: model.version, file });
    }
    for (const name of [dumpFile, ...manifest.models.map((m) => m.file)]) {
      manifest.files[name] = await hashFile(join(staging, name));
    }
    await writeBackupArchive(outFile, manifest, staging, { key: target.backupKey });
    return manifest;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/**
 * Dumps the database to `file`. PGlite: this process holds the data directory's lock,
 * so nothing else writes while it is dumped. PostgreSQL: `pg_dump` takes the snapshot
 * this transaction exported, so the dump, the counts and the model list all describe the
 * same moment while the service keeps running.
 */
async function dumpDatabase(db: Db, url: string, file: string): Promise<Snapshot> {
  const read = async (q: Queryable) => ({
    counts: await backupCounts(q),
    models: await listModels(q),
    stored: await storedModelVersions(q),
  });
  if (db.kind === "pglite") {
    const snapshot = await read(db);
    const blob = await dumpPgliteDataDir(db);
    await Deno.writeFile(file, blob.stream(), { createNew: true });
    return snapshot;
  }
  return await db.transaction(async (tx) => {
    const id = await exportSnapshot(tx);
    const snapshot = await read(tx);
    await pgDump(url, file, { snapshot: id });
    return snapshot;
  });
}
