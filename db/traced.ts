/**
 * Database tracing: wraps a `Db` so each statement is a client span named by its
 * verb (never its text or parameters), and each transaction a span around them.
 */
import { SpanKind } from "@opentelemetry/api";
import { inSpan } from "../lib/tracing.ts";
import type { Db, Queryable } from "./mod.ts";

/** `SELECT`, `INSERT`, ... — the statement's verb, never its text or parameters. */
function operation(sql: string): string {
  return /^\s*(?:WITH\b[\s\S]*?\)\s*)?([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? "SQL";
}

function traced(q: Queryable, system: string): Queryable {
  return {
    query: (sql, params, options) =>
      inSpan(
        `db ${operation(sql)}`,
        { "db.system": system, "db.operation": operation(sql) },
        () => q.query(sql, params, options),
        SpanKind.CLIENT,
      ),
    exec: (sql) =>
      inSpan(
        "db script",
        { "db.system": system, "db.operation": "SCRIPT" },
        () => q.exec(sql),
        SpanKind.CLIENT,
      ),
  };
}

/** Wraps a database so each statement is a client span named by its verb. */
export function tracedDb(db: Db): Db {
  const system = db.kind === "postgres" ? "postgresql" : "pglite";
  return {
    ...traced(db, system),
    kind: db.kind,
    pool: () => db.pool(),
    transaction: (fn) =>
      inSpan(
        "db transaction",
        { "db.system": system },
        () => db.transaction((tx) => fn(traced(tx, system))),
      ),
    close: () => db.close(),
  };
}
