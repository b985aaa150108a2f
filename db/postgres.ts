/** The PostgreSQL driver, through postgres.js with a small connection pool. */
import postgres from "postgres";
import {
  type Db,
  DbBusyError,
  type DbOptions,
  DbUnavailableError,
  DEFAULT_DB_OPTIONS,
  poolCounter,
  type Queryable,
  type QueryOptions,
} from "./driver.ts";

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

/** Failures that say nothing about the work itself: running it again may succeed. */
const RETRYABLE = new Set([
  "40P01", // deadlock_detected
  "40001", // serialization_failure
]);

/** Statements stopped for running out of time. */
const TIMEOUTS = new Set([
  "57014", // query_canceled: statement_timeout (nothing here cancels otherwise)
  "25P03", // idle_in_transaction_session_timeout
]);

/** Attempts at a transaction (or statement) that keeps meeting a deadlock or serialization failure. */
const ATTEMPTS = 3;

const codeOf = (err: unknown) => (err as { code?: string })?.code;

function translate(err: unknown): never {
  const code = codeOf(err);
  if (code && CONNECTION_ERRORS.has(code)) {
    throw new DbUnavailableError(`database unavailable (${code})`, { cause: err });
  }
  if (code && TIMEOUTS.has(code)) {
    throw new DbBusyError("queryTimeout", `database statement timed out (${code})`, {
      cause: err,
    });
  }
  throw err;
}

/**
 * Runs `work` again when the database chose it as the victim of a deadlock or a
 * serialization failure, which rolled it back whole: up to `attempts` times, a
 * few random milliseconds apart so the contenders do not collide again. Then
 * gives up with `DbBusyError` (503), not an unexpected error (500).
 */
async function retrying<T>(attempts: number, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = codeOf(err);
      if (!code || !RETRYABLE.has(code)) throw err;
      if (attempt >= attempts) {
        throw new DbBusyError(
          "databaseBusy",
          `database busy: gave up after ${attempts} attempts (${code})`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * A duration as a startup parameter. postgres.js leaves out falsy ones, which
 * would let a server or role default stand for 0 ("off"): that one goes as text.
 */
function startupMs(ms: number): number {
  return ms === 0 ? "0" as unknown as number : ms;
}

/**
 * Opens a pool to the PostgreSQL server at `url`. Every connection carries
 * `statement_timeout` and `idle_in_transaction_session_timeout` (`options`, else
 * {@link DEFAULT_DB_OPTIONS}); work that legitimately runs longer (migrations)
 * lifts them with `SET LOCAL` inside its transaction. `transactionAttempts`
 * (default 3) bounds the retries of deadlocked or serialization-failed work.
 */
export function openPostgres(
  url: string,
  options: DbOptions & { max?: number; transactionAttempts?: number } = {},
): Db {
  const max = options.max ?? 10;
  const attempts = Math.max(1, options.transactionAttempts ?? ATTEMPTS);
  const preparing = options.preparedStatements ?? DEFAULT_DB_OPTIONS.preparedStatements;
  const counter = poolCounter(max);
  const sql = postgres(url, {
    max,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    // Startup parameters: in force on every connection from its first statement.
    connection: {
      statement_timeout: startupMs(
        options.statementTimeoutMs ?? DEFAULT_DB_OPTIONS.statementTimeoutMs,
      ),
      idle_in_transaction_session_timeout: startupMs(
        options.idleInTransactionTimeoutMs ?? DEFAULT_DB_OPTIONS.idleInTransactionTimeoutMs,
      ),
    },
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
  const run = <T>(
    q: postgres.Sql | postgres.TransactionSql,
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ) =>
    (q.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[], {
      prepare: preparing && (options?.prepare ?? false),
    }) as Promise<T[]>).then(
      (rows) => [...rows] as T[],
      translate,
    );
  const exec = (q: postgres.Sql | postgres.TransactionSql, text: string) =>
    q.unsafe(text).simple().then(() => undefined, translate);
  return {
    kind: "postgres",
    pool: counter.stats,
    // A single statement that failed did nothing, so it may run again as is.
    query: <T>(text: string, params?: unknown[], options?: QueryOptions) =>
      counter.track(() => retrying(attempts, () => run<T>(sql, text, params, options))),
    exec: (text: string) => counter.track(() => retrying(attempts, () => exec(sql, text))),
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return counter.track(() =>
        retrying(attempts, () =>
          (sql.begin((tx) =>
            fn({
              query: <R>(text: string, params?: unknown[], options?: QueryOptions) =>
                run<R>(tx, text, params, options),
              exec: (text: string) => exec(tx, text),
            })
          ) as Promise<T>).catch(translate))
      );
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
