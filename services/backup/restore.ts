/**
 * `newsintel restore FILE`: checks the whole backup first (its signature against
 * `BACKUP_KEY`, every file against its sha256, every unpacked byte against
 * `BACKUP_MAX_BYTES`), refuses a target that is not empty unless forced, restores the database and
 * the model directories, applies newer migrations, and proves the result: the counts
 * match those recorded at backup time and every restored model's files verify.
 */
import { join } from "node:path";
import { type Db, openDb } from "../../db/mod.ts";
import { type BackupCounts, backupCounts, schemaTables } from "../../db/backup.ts";
import { migrate } from "../../db/migrate.ts";
import { pgRestore } from "../../db/pg_tools.ts";
import { restorePgliteDataDir } from "../../db/pglite_backup.ts";
import { importBundle, verifyModelDir } from "../../ml/mod.ts";
import { compareInstalledModel, moveStagedModelDir } from "../../ml/install_model.ts";
import { BackupFileError, readBackupArchive, type SignatureCheck } from "./archive.ts";
import { gunzippedSize, UnpackLimitError } from "./limits.ts";
import { getModel } from "../../db/models.ts";
import { ensureModelFiles } from "../model_store.ts";

/** Unpacked size allowed when the target gives no maximum (`BACKUP_MAX_BYTES`'s default). */
const DEFAULT_MAX_BYTES = 8 * 2 ** 30;
import type { BackupManifest } from "./manifest.ts";

/** A restore that was refused before anything was written, and why. */
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

export interface RestoreTarget {
  dbUrl: string;
  modelDir: string;
  /** Where the backup is unpacked while it is checked (removed after). */
  dataDir: string;
  /** `BACKUP_KEY`: when set, only a backup signed with it is restored. */
  backupKey?: string;
  /** `BACKUP_MAX_BYTES`: most bytes the backup, and the database dump in it, may unpack to. */
  backupMaxBytes?: number;
}

export interface RestoreReport {
  manifest: BackupManifest;
  /** `verified` against BACKUP_KEY; `unsigned`, or signed but `notChecked` (no BACKUP_KEY). */
  signature: SignatureCheck;
  /** Counted in the restored database (after its migrations). */
  counts: BackupCounts;
  /** Migrations applied after the restore (the backup was older than the program). */
  migrated: string[];
  /** Model versions installed, and those already there with the same files. */
  modelsInstalled: string[];
  modelsPresent: string[];
  /** Model versions fetched from the restored database's model store into MODEL_DIR (verified). */
  modelsFromStore: string[];
  /** True when an existing database or model directories were replaced (`force`). */
  replaced: boolean;
}

/** Restores the backup `file` into the database and model folder `target` names. */
export async function restoreBackup(
  file: string,
  target: RestoreTarget,
  options: { force?: boolean } = {},
): Promise<RestoreReport> {
  await Deno.mkdir(target.dataDir, { recursive: true });
  await Deno.mkdir(target.modelDir, { recursive: true });
  const unpacked = await Deno.makeTempDir({ dir: target.dataDir, prefix: ".restore-" });
  const staged = await Deno.makeTempDir({ dir: target.modelDir, prefix: ".restore-" });
  try {
    const { manifest, signature } = await readBackupArchive(file, unpacked, {
      key: target.backupKey,
      maxBytes: target.backupMaxBytes,
    });
    const kind = target.dbUrl.startsWith("pglite://") ? "pglite" : "postgres";
    if (manifest.database.kind !== kind) {
      throw new RestoreRefusedError(
        `${file} is a backup of ${describe(manifest.database.kind)}; ` +
          `it restores only into ${describe(manifest.database.kind)}, not ${describe(kind)}`,
      );
    }
    const models = await stageModels(manifest, unpacked, staged, target.modelDir);
    const conflicts = models.filter((m) => m.state.kind === "different");
    if (conflicts.length && !options.force) {
      throw new RestoreRefusedError(
        `model directories differ from the backup's: ${
          conflicts.map((m) => m.state.kind === "different" ? m.state.why : "").join("; ")
        } (restore --force replaces them)`,
      );
    }
    const dump = join(unpacked, manifest.database.file);
    const check = async (db: Db) => {
      const migrated = await migrate(db);
      const counts = await backupCounts(db);
      assertCounts(manifest.counts, counts);
      return { migrated, counts, modelsFromStore: await fetchStored(db, manifest, target) };
    };
    let result: { migrated: string[]; counts: BackupCounts; modelsFromStore: string[] };
    let replaced: boolean;
    if (kind === "pglite") {
      const path = target.dbUrl.slice("pglite://".length);
      // PGlite unpacks the dump in memory: its unpacked size is counted first, as a stream.
      await gunzippedSize(dump, target.backupMaxBytes ?? DEFAULT_MAX_BYTES).catch((err) => {
        throw err instanceof UnpackLimitError
          ? new BackupFileError(
            `${file} holds a database dump that ${err.message}; nothing was restored`,
          )
          : new BackupFileError(
            `${file} holds a database dump that is not gzip (${(err as Error).message}); ` +
              "nothing was restored",
          );
      });
      const outcome = await restorePgliteDataDir(
        path,
        new Blob([await Deno.readFile(dump)]),
        { force: options.force, check },
      );
      if (outcome.kind === "notEmpty") throw notEmpty(outcome.tables);
      ({ result, replaced } = outcome);
    } else {
      // Counting a large restored table takes longer than the service's statement timeout.
      const db = await openDb(target.dbUrl, { statementTimeoutMs: 0 });
      try {
        const tables = await schemaTables(db);
        if (tables.length && !options.force) throw notEmpty(tables);
        replaced = tables.length > 0;
        await pgRestore(target.dbUrl, dump, { clean: replaced });
        result = await check(db);
      } finally {
        await db.close();
      }
    }
    const installed: string[] = [];
    const present: string[] = [];
    for (const m of models) {
      if (m.state.kind === "same") {
        present.push(m.version);
        continue;
      }
      await moveStagedModelDir(m.dir, target.modelDir, m.version, {
        replace: m.state.kind === "different",
      });
      await verifyModelDir(join(target.modelDir, m.version));
      installed.push(m.version);
    }
    return {
      manifest,
      signature,
      ...result,
      modelsInstalled: installed,
      modelsPresent: present,
      replaced: replaced || conflicts.length > 0,
    };
  } finally {
    await Deno.remove(unpacked, { recursive: true }).catch(() => {});
    await Deno.remove(staged, { recursive: true }).catch(() => {});
  }
}

/** Unpacks and verifies every model bundle into `staged`, and compares each with MODEL_DIR. */
async function stageModels(
  manifest: BackupManifest,
  unpacked: string,
  staged: string,
  modelDir: string,
) {
  const out = [];
  for (const { version, file } of manifest.models) {
    const bundle = await importBundle(join(unpacked, file), staged);
    if (bundle.version !== version) {
      throw new RestoreRefusedError(`${file} holds model ${bundle.version}, not ${version}`);
    }
    const dir = join(staged, version);
    out.push({ version, dir, state: await compareInstalledModel(dir, modelDir, version) });
  }
  return out;
}

/**
 * Fetches every model the backup keeps in its database's model store into MODEL_DIR:
 * proof that each stored copy verifies, and the cache warmed. A cached copy that does
 * not match is fetched again.
 */
async function fetchStored(
  db: Db,
  manifest: BackupManifest,
  target: RestoreTarget,
): Promise<string[]> {
  for (const version of manifest.storedModels ?? []) {
    const record = await getModel(db, version);
    if (!record) throw new Error(`the restored database has no model ${version}`);
    await ensureModelFiles(db, target.modelDir, record);
  }
  return manifest.storedModels ?? [];
}

/** The restored database must hold exactly what the backup recorded (rows are never migrated away). */
function assertCounts(recorded: BackupCounts, restored: BackupCounts): void {
  const keys = ["articles", "reviewItems", "reviewLabels", "models"] as const;
  const off = keys.filter((k) => restored[k] !== recorded[k]);
  if (off.length) {
    throw new Error(
      "the restored database does not match the backup: " +
        off.map((k) => `${k} ${restored[k]} (backup: ${recorded[k]})`).join(", "),
    );
  }
}

function notEmpty(tables: string[]): RestoreRefusedError {
  return new RestoreRefusedError(
    `the target database is not empty (${tables.length} tables, e.g. ${
      tables.slice(0, 3).join(", ")
    }); restore --force replaces it`,
  );
}

const describe = (kind: string) =>
  kind === "pglite" ? "the embedded database (PGlite)" : "PostgreSQL";
