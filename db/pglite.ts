/**
 * The embedded driver: PGlite (PostgreSQL in WASM), one connection per process.
 *
 * No `statement_timeout` or `idle_in_transaction_session_timeout` here: PGlite
 * accepts the settings but never fires them (PostgreSQL's timers need signals,
 * which WASM has none of), and with one in-process connection there is no other
 * session for an idle transaction to hold up. Work per request is bounded by the
 * code instead; transactions never deadlock, since they run one at a time.
 */
import { dirname } from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { type Db, DbInUseError, poolCounter, type Queryable } from "./driver.ts";
import { initdbTemplate } from "./pglite_template.ts";

// int8 (counts, ids) as JS numbers, as the postgres.js driver does: every id
// and count here stays far below 2^53.
const parsers = { [types.INT8]: (v: string) => Number(v) };

/**
 * PostgreSQL's own page cache inside PGlite's WASM memory, every page of it resident.
 * The default 128MB made the embedded database about 270 MB of the service's memory;
 * at 32MB it is about 160 MB, and the files stay in the operating system's cache.
 */
const SHARED_BUFFERS = "32MB";

/**
 * Opens PGlite in `path` (a directory, created if missing), or in memory for `memory`.
 * `loadDataDir` fills a new directory from a `dumpDataDir()` tarball first (restore); else a
 * new database starts from `template` (default: db/pglite_template.ts's, made by initdb
 * ahead of time), and from PGlite's own initdb when there is none or it cannot be loaded.
 *
 * A directory is opened by one process at a time: PGlite has no lock of its own, and a
 * second process writing the same files corrupts them, so the open takes an exclusive
 * lock on `PATH.lock` (released when closed or when the process ends) and throws
 * {@link DbInUseError} when another process holds it. `lock: false` is for a caller
 * that holds the lock already (a restore, which keeps it from check to swap).
 */
export async function openPglite(
  path: string,
  options: { loadDataDir?: Blob; lock?: boolean; template?: Blob | null } = {},
): Promise<Db & { pglite: PGlite }> {
  const memory = path === "memory" || path === "";
  const lock = memory || options.lock === false ? undefined : await lockDataDir(path);
  const create = (loadDataDir: Blob | undefined) =>
    PGlite.create(memory ? undefined : path, {
      parsers,
      startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`],
      loadDataDir,
    });
  try {
    const fresh = memory || await isEmptyDir(path);
    if (!memory) await Deno.mkdir(path, { recursive: true });
    if (options.loadDataDir || !fresh) {
      return wrapPglite(await create(options.loadDataDir), () => lock?.close());
    }
    const template = options.template === undefined ? await initdbTemplate() : options.template;
    let pg: PGlite | null = null;
    if (template) {
      // A template PGlite cannot load (made by another version) leaves initdb to do it.
      pg = await create(template).catch(async () => {
        if (!memory) {
          await Deno.remove(path, { recursive: true });
          await Deno.mkdir(path);
        }
        return null;
      });
    }
    return wrapPglite(pg ?? await create(undefined), () => lock?.close());
  } catch (err) {
    lock?.close();
    throw err;
  }
}

/** Whether `path` is a directory with nothing in it, or not there at all. */
async function isEmptyDir(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) return false;
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return true;
    throw err;
  }
}

/** Takes the exclusive lock on `PATH.lock`, or throws {@link DbInUseError}; close to release. */
export async function lockDataDir(path: string): Promise<Deno.FsFile> {
  const lockFile = `${path.replace(/\/+$/, "")}.lock`;
  // A database in a folder not made yet (a first start's DATA_DIR) gets its folder.
  await Deno.mkdir(dirname(lockFile), { recursive: true });
  const file = await Deno.open(lockFile, {
    read: true,
    write: true,
    create: true,
  });
  if (await file.tryLock(true)) return file;
  file.close();
  throw new DbInUseError(
    `the embedded database ${path} is in use by another process (a running ` +
      "`newsintel serve`?); stop it first: PGlite allows one process at a time",
  );
}

/** Wraps an open PGlite instance (also used by tests that `clone()` a migrated one). */
export function wrapPglite(pg: PGlite, onClose?: () => void): Db & { pglite: PGlite } {
  const counter = poolCounter(1);
  return {
    kind: "pglite",
    pglite: pg,
    pool: counter.stats,
    query<T>(sql: string, params?: unknown[]) {
      return counter.track(async () => (await pg.query<T>(sql, params)).rows);
    },
    exec(sql: string) {
      return counter.track(async () => void await pg.exec(sql));
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return counter.track(() =>
        pg.transaction((tx) =>
          fn({
            async query<R>(sql: string, params?: unknown[]) {
              return (await tx.query<R>(sql, params)).rows;
            },
            async exec(sql: string) {
              await tx.exec(sql);
            },
          })
        )
      );
    },
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        onClose?.();
        onClose = undefined;
      }
    },
  };
}
