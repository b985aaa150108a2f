/**
 * The one error type for expected failures. Routes throw it; the app's error
 * handler turns it into `{"error":{"code","message","details"?,"requestId"}}`.
 *
 * @example
 * ```ts
 * throw new AppError(404, "articleNotFound", "No article 42.");
 * ```
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A detail entry naming the offending field, as in 422 responses. */
export interface FieldIssue {
  path: string;
  message: string;
}
