/**
 * A database that records what each statement carries: for tests that bound the rows of
 * one statement (the embedded database runs a statement synchronously, holding the event
 * loop for as long as it takes, so batch writes are cut into statements of a few rows).
 */
import type { Db, Queryable } from "../../db/mod.ts";

/** One statement run: its SQL (white space folded) and the rows of its largest parameter. */
export interface LoggedStatement {
  sql: string;
  rows: number;
}

/** Rows a parameter carries: a JSON array's items, an array's items, else 1. */
function rowsOf(param: unknown): number {
  if (Array.isArray(param)) return param.length;
  if (typeof param === "string" && param.startsWith("[")) {
    try {
      const parsed = JSON.parse(param);
      if (Array.isArray(parsed)) return parsed.length;
    } catch { /* text that merely starts with a bracket */ }
  }
  return 1;
}

function logging(q: Queryable, log: LoggedStatement[]): Queryable {
  return {
    query<T>(sql: string, params?: unknown[]) {
      log.push({
        sql: sql.replace(/\s+/g, " ").trim(),
        rows: Math.max(0, ...(params ?? []).map(rowsOf)),
      });
      return q.query<T>(sql, params);
    },
    exec(sql: string) {
      log.push({ sql: sql.replace(/\s+/g, " ").trim(), rows: 0 });
      return q.exec(sql);
    },
  };
}

/** `db` with every statement, in transactions too, appended to `log`. */
export function loggingDb(db: Db, log: LoggedStatement[]): Db {
  return {
    ...db,
    ...logging(db, log),
    transaction: (fn) => db.transaction((tx) => fn(logging(tx, log))),
  };
}

/** The statements of `log` whose SQL starts with `prefix` (white space folded). */
export function statementsLike(log: LoggedStatement[], prefix: string): LoggedStatement[] {
  return log.filter((s) => s.sql.startsWith(prefix));
}
