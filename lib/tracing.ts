/**
 * Tracing through `@opentelemetry/api`: a span per request (see
 * routes/middleware.ts), child spans for database calls and model inference.
 * Without a registered tracer provider every span is a no-op; with Deno's
 * built-in exporter (`OTEL_DENO=true`, `OTEL_EXPORTER_OTLP_ENDPOINT`) they are
 * sent over OTLP.
 */
import { type Attributes, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Db, Queryable } from "../db/mod.ts";

const tracer = trace.getTracer("newsintel");

/** Runs `fn` in a child span of the current one; errors are recorded and rethrown. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `SELECT`, `INSERT`, ... — the statement's verb, never its text or parameters. */
function operation(sql: string): string {
  return /^\s*(?:WITH\b[\s\S]*?\)\s*)?([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? "SQL";
}

function traced(q: Queryable, system: string): Queryable {
  return {
    query: (sql, params) =>
      inSpan(
        `db ${operation(sql)}`,
        { "db.system": system, "db.operation": operation(sql) },
        () => q.query(sql, params),
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
