/**
 * The embedded driver: PGlite (PostgreSQL in WASM), one connection per process.
 *
 * No `statement_timeout` or `idle_in_transaction_session_timeout` here: PGlite
 * accepts the settings but never fires them (PostgreSQL's timers need signals,
 * which WASM has none of), and with one in-process connection there is no other
 * session for an idle transaction to hold up. Work per request is bounded by the
 * code instead; transactions never deadlock, since they run one at a time.
 */
import { PGlite, types } from "@electric-sql/pglite";
import { type Db, poolCounter, type Queryable } from "./driver.ts";

// int8 (counts, ids) as JS numbers, as the postgres.js driver does: every id
// and count here stays far below 2^53.
const parsers = { [types.INT8]: (v: string) => Number(v) };

/**
 * PostgreSQL's own page cache inside PGlite's WASM memory, every page of it resident.
 * The default 128MB made the embedded database about 270 MB of the service's memory;
 * at 32MB it is about 160 MB, and the files stay in the operating system's cache.
 */
const SHARED_BUFFERS = "32MB";

/** Opens PGlite in `path` (a directory, created if missing), or in memory for `memory`. */
export async function openPglite(path: string): Promise<Db> {
  if (path !== "memory" && path !== "") await Deno.mkdir(path, { recursive: true });
  const pg = await PGlite.create(path === "memory" || path === "" ? undefined : path, {
    parsers,
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`],
  });
  return wrapPglite(pg);
}

/** Wraps an open PGlite instance (also used by tests that `clone()` a migrated one). */
export function wrapPglite(pg: PGlite): Db & { pglite: PGlite } {
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
      if (!pg.closed) await pg.close();
    },
  };
}
