/**
 * `backup.json`, the first entry of every backup: what it holds (the database dump, with
 * the model store in it, and one model bundle per registered model not in that store), each file's size and sha256, and the counts the
 * database had when it was taken, so a restore can prove it got everything back.
 */
import { z } from "zod";

/** The database dump's name in the archive, by the kind of database it came from. */
export const DUMP_FILES = {
  pglite: "database.pglite.tar.gz",
  postgres: "database.pgdump",
} as const;

const MODEL_FILE = /^models\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.tar\.gz$/;

/** Only these names may appear in a backup, so no entry can point outside its folder. */
export function isBackupFileName(name: string): boolean {
  return Object.values(DUMP_FILES).includes(name as never) || MODEL_FILE.test(name);
}

const count = z.number().int().nonnegative();

export const backupManifestSchema = z.object({
  format: z.literal("newsintel-backup"),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  database: z.object({
    kind: z.enum(["pglite", "postgres"]),
    file: z.string(),
  }),
  counts: z.object({
    articles: count,
    reviewItems: count,
    reviewLabels: count,
    models: count,
    migration: z.string().nullable(),
  }),
  /** Models whose directory the backup holds, as `newsintel bundle` writes them. */
  models: z.array(z.object({ version: z.string(), file: z.string() })).max(10_000),
  /**
   * Models whose files are in the database dump's model store: not copied again, and
   * fetched into MODEL_DIR (and so verified) by the restore. Absent in older backups.
   */
  storedModels: z.array(z.string()).max(10_000).optional(),
  /** Registered models whose files are not under MODEL_DIR (a local path, the hub). */
  skippedModels: z.array(
    z.object({ version: z.string(), origin: z.string(), reason: z.string() }),
  ).max(10_000),
  files: z.record(
    z.string().refine(isBackupFileName, "not a name a backup holds"),
    z.object({ size: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
}).superRefine((m, ctx) => {
  const listed = [m.database.file, ...m.models.map((x) => x.file)];
  for (const name of listed) {
    if (!Object.hasOwn(m.files, name)) {
      ctx.addIssue({ code: "custom", message: `${name} is not in files` });
    }
  }
  if (m.database.file !== DUMP_FILES[m.database.kind]) {
    ctx.addIssue({ code: "custom", message: "database.file does not match database.kind" });
  }
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** The manifest's name: always the archive's first entry. */
export const MANIFEST_NAME = "backup.json";
