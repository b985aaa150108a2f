/**
 * One JSON error shape for every failure:
 * `{"error":{"code","message","details"?,"requestId"}}`.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, type FieldIssue } from "../lib/errors.ts";
import { DbBusyError, DbUnavailableError } from "../db/mod.ts";
import { logger } from "../lib/log.ts";
import type { AppEnv } from "./env.ts";

const log = logger("http");

/** Seconds a client should wait before retrying when the database is down or busy. */
const RETRY_AFTER_SECONDS = 5;

export function errorBody(c: Context<AppEnv>, code: string, message: string, details?: unknown) {
  return {
    error: {
      code,
      message,
      ...(details === undefined ? {} : { details }),
      requestId: c.get("requestId"),
    },
  };
}

type Issue = ZodError["issues"][number];

/** How many issues say the input is not this branch's shape at all. */
function wrongShape(issues: Issue[]): number {
  return issues.filter((i) =>
    i.path.length <= 1 &&
    (i.code === "unrecognized_keys" ||
      (i.code === "invalid_type" && /received undefined/.test(i.message)))
  ).length;
}

/**
 * Per-field issues from a zod error, paths joined with dots (`articles.3.title`).
 * For a union (one article or a batch), the issues of the branch the input was
 * meant for are reported — the one with the fewest unknown or missing top-level
 * fields — so a bad batch item is named rather than "expected an article".
 */
export function fieldIssues(error: ZodError): FieldIssue[] {
  const flatten = (issues: Issue[], prefix: PropertyKey[]): FieldIssue[] =>
    issues.flatMap((i) => {
      const path = [...prefix, ...i.path];
      if (i.code === "invalid_union" && i.errors.length > 0) {
        const best = [...i.errors].sort((a, b) =>
          wrongShape(a) - wrongShape(b) || a.length - b.length
        )[0];
        return flatten(best, path);
      }
      return [{ path: path.map(String).join("."), message: i.message }];
    });
  return flatten(error.issues, []);
}

/** Maps anything thrown by a handler to a response. */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    return c.json(errorBody(c, err.code, err.message, err.details), err.status);
  }
  if (err instanceof DbUnavailableError) {
    log.warn("database unavailable: {reason}", { reason: err.message });
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    return c.json(
      errorBody(c, "serviceUnavailable", "The database is not reachable; retry shortly."),
      503,
    );
  }
  if (err instanceof DbBusyError) {
    // A deadlock that retries did not clear, or a statement past statement_timeout:
    // the work was rolled back, so the client may send it again.
    log.warn("database busy: {reason}", { reason: err.message });
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    const message = err.code === "queryTimeout"
      ? "The database took too long to answer; retry shortly."
      : "The database is busy; retry shortly.";
    return c.json(errorBody(c, err.code, message), 503);
  }
  if (err instanceof HTTPException) {
    // Hono's validators raise 400 for a body that is not JSON.
    const status = err.status;
    const code = status === 400
      ? "malformedRequest"
      : status === 413
      ? "payloadTooLarge"
      : "httpError";
    return c.json(errorBody(c, code, err.message || "Bad request."), status);
  }
  log.error("unexpected error on {method} {path}: {error}", {
    method: c.req.method,
    path: c.req.path,
    error: err,
  });
  return c.json(errorBody(c, "internalError", "Something went wrong on our side."), 500);
}
