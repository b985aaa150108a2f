/**
 * What both database drivers implement and share: the `Db` interface, the errors
 * they raise, their connection limits and a pool-use counter. Kept apart from
 * `mod.ts` (which picks a driver) so the drivers need not import it back.
 */
export interface Queryable {
  /** Runs one parameterised statement (`$1`, `$2`, ...) and returns its rows. */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** How a statement is sent. */
export interface QueryOptions {
  /**
   * A statement of fixed text run on every ingest (PostgreSQL): prepared once per connection,
   * so later runs skip parsing, planning and the round trip that learns the parameters'
   * types, and statements sent together are pipelined. Off by default: PostgreSQL may then
   * keep one plan for all parameter values, which suits only a statement whose best plan does
   * not depend on them. Ignored when the pool turns preparing off, and by the embedded database.
   */
  prepare?: boolean;
}

/** Connection use: for `/metrics`. */
export interface PoolStats {
  /** Connections the pool may open (1 for PGlite). */
  size: number;
  /** Statements and transactions holding a connection now. */
  inUse: number;
  /** Statements and transactions waiting for one. */
  waiting: number;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  pool(): PoolStats;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * On PostgreSQL, a transaction rolled back by a deadlock or serialization failure runs
   * again (a bounded number of times, then `DbBusyError`), so `fn` may run more than
   * once: effects outside the database belong after it.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Raised when the database cannot be reached; routes answer 503. */
export class DbUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DbUnavailableError";
  }
}

/**
 * Raised when the embedded database's directory is open in another process (PGlite
 * allows one): the command says which, and that the other process must stop first.
 */
export class DbInUseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DbInUseError";
  }
}

/**
 * Raised when the database turned work away under load: `databaseBusy` for a
 * deadlock or serialization failure that the driver's retries did not clear,
 * `queryTimeout` for a statement stopped by `statement_timeout` (or a
 * transaction by `idle_in_transaction_session_timeout`). Routes answer 503
 * with `Retry-After`: the request did nothing and may be sent again.
 */
export class DbBusyError extends Error {
  constructor(
    readonly code: "databaseBusy" | "queryTimeout",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DbBusyError";
  }
}

/** Per-connection limits (PostgreSQL; PGlite cannot enforce them, see db/pglite.ts). */
export interface DbOptions {
  /** `statement_timeout` of every connection, in milliseconds; 0 turns it off. */
  statementTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout` of every connection, in milliseconds; 0 turns it off. */
  idleInTransactionTimeoutMs?: number;
  /**
   * Whether statements sent with `prepare` are prepared (`DB_PREPARED_STATEMENTS`); off, every
   * statement is sent unnamed, for a pooler that cannot keep prepared statements.
   */
  preparedStatements?: boolean;
}

/** The options a connection gets when its opener names none (the `DB_*` defaults). */
export const DEFAULT_DB_OPTIONS: Required<DbOptions> = {
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  preparedStatements: true,
};

/**
 * Counts the operations running on a pool of `size` connections. Neither driver
 * reports its pool's use, so each counts what it is asked to run.
 */
export function poolCounter(size: number) {
  let active = 0;
  return {
    async track<T>(run: () => Promise<T>): Promise<T> {
      active++;
      try {
        return await run();
      } finally {
        active--;
      }
    },
    stats: (): PoolStats => ({
      size,
      inUse: Math.min(active, size),
      waiting: Math.max(0, active - size),
    }),
  };
}
