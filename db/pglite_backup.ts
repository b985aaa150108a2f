/**
 * Backing up and restoring the embedded database. A backup is PGlite's own
 * `dumpDataDir()`, a gzip tarball of the data directory taken by the one process that
 * has it open, so it is consistent. A restore loads such a tarball into a new directory
 * beside the target, lets the caller check it, and only then swaps it into place, all
 * under the directory's lock: a failed restore leaves the target as it was.
 */
import { join } from "node:path";
import type { Db } from "./driver.ts";
import { schemaTables } from "./backup.ts";
import { lockDataDir, openPglite } from "./pglite.ts";
import type { PGlite } from "@electric-sql/pglite";

/** The data directory of an open embedded database as a gzip tarball. */
export async function dumpPgliteDataDir(db: Db): Promise<Blob> {
  const pglite = (db as Db & { pglite?: PGlite }).pglite;
  if (db.kind !== "pglite" || !pglite) throw new Error("not an embedded (PGlite) database");
  return await pglite.dumpDataDir("gzip");
}

export type PgliteRestoreOutcome<T> =
  | { kind: "restored"; result: T; replaced: boolean }
  | { kind: "notEmpty"; tables: string[] };

/**
 * Restores `dump` (from {@link dumpPgliteDataDir}) as the database in `path`. Refuses
 * (`notEmpty`) when `path` holds tables, unless `force`. `check` runs on the restored
 * database before it is swapped in (migrate, count, compare); if it throws, the restored
 * copy is removed and `path` is untouched. Throws `DbInUseError` while another process
 * has `path` open.
 */
export async function restorePgliteDataDir<T>(
  path: string,
  dump: Blob,
  options: { force?: boolean; check: (db: Db) => Promise<T> },
): Promise<PgliteRestoreOutcome<T>> {
  const lock = await lockDataDir(path);
  const suffix = crypto.randomUUID().slice(0, 8);
  const fresh = `${path}.restore-${suffix}`;
  try {
    const occupied = await hasEntries(path);
    if (occupied) {
      const current = await openPglite(path, { lock: false });
      let tables: string[];
      try {
        tables = await schemaTables(current);
      } finally {
        await current.close();
      }
      if (tables.length > 0 && !options.force) return { kind: "notEmpty", tables };
    }
    let result: T;
    try {
      const restored = await openPglite(fresh, { loadDataDir: dump, lock: false });
      try {
        result = await options.check(restored);
      } finally {
        await restored.close();
      }
    } catch (err) {
      await Deno.remove(fresh, { recursive: true }).catch(() => {});
      throw err;
    }
    // Two renames on one file system: the old directory is set aside first, so a crash
    // between them leaves both copies on disk, never a half-written one.
    const old = `${path}.replaced-${suffix}`;
    if (await pathExists(path)) await Deno.rename(path, old);
    await Deno.rename(fresh, path);
    await Deno.remove(old, { recursive: true }).catch(() => {});
    return { kind: "restored", result, replaced: occupied };
  } finally {
    lock.close();
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** True when `path` is a directory with anything in it. */
async function hasEntries(path: string): Promise<boolean> {
  if (!await pathExists(path)) return false;
  for await (const _ of Deno.readDir(join(path))) return true;
  return false;
}
