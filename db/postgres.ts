/** The PostgreSQL driver, through postgres.js with a small connection pool. */
import postgres from "postgres";
import { type Db, DbUnavailableError, poolCounter, type Queryable } from "./mod.ts";

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
]);

function translate(err: unknown): never {
  const code = (err as { code?: string })?.code;
  if (code && CONNECTION_ERRORS.has(code)) {
    throw new DbUnavailableError(`database unavailable (${code})`, { cause: err });
  }
  throw err;
}

/** Opens a pool to the PostgreSQL server at `url`. */
export function openPostgres(url: string, options: { max?: number } = {}): Db {
  const max = options.max ?? 10;
  const counter = poolCounter(max);
  const sql = postgres(url, {
    max,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    types: {
      // int8 as JS numbers, matching the PGlite driver.
      bigint: {
        to: 20,
        from: [20],
        parse: (v: string) => Number(v),
        serialize: (v: number) => String(v),
      },
    },
  });
  const run = <T>(q: postgres.Sql | postgres.TransactionSql, text: string, params?: unknown[]) =>
    (q.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[]) as Promise<T[]>).then(
      (rows) => [...rows] as T[],
      translate,
    );
  const exec = (q: postgres.Sql | postgres.TransactionSql, text: string) =>
    q.unsafe(text).simple().then(() => undefined, translate);
  return {
    kind: "postgres",
    pool: counter.stats,
    query: <T>(text: string, params?: unknown[]) => counter.track(() => run<T>(sql, text, params)),
    exec: (text: string) => counter.track(() => exec(sql, text)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return counter.track(() =>
        (sql.begin((tx) =>
          fn({
            query: <R>(text: string, params?: unknown[]) => run<R>(tx, text, params),
            exec: (text: string) => exec(tx, text),
          })
        ) as Promise<T>).catch(translate)
      );
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
