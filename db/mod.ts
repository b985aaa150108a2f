/**
 * The database boundary: a narrow `Db` interface with two drivers, embedded
 * PGlite (`pglite://PATH`, or `pglite://memory` for an in-memory instance) and
 * PostgreSQL through postgres.js (`postgres://...`). Only `db/` speaks SQL; the
 * same SQL runs on both.
 */
export * from "./driver.ts";
import { type Db, type DbOptions, DbUnavailableError } from "./driver.ts";

/** Opens the database named by `url`; `options` apply to PostgreSQL connections. */
export async function openDb(url: string, options: DbOptions = {}): Promise<Db> {
  if (url.startsWith("pglite://")) {
    const { openPglite } = await import("./pglite.ts");
    return openPglite(url.slice("pglite://".length));
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const { openPostgres } = await import("./postgres.ts");
    return openPostgres(url, options);
  }
  throw new Error(`unsupported database URL scheme: ${url.split(":")[0]}`);
}

/** Query parameters whose value is (or may be) a secret. */
const SECRET_PARAM = /pass|pwd|secret|token|sslkey/i;

/** A query parameter's name as the driver reads it (percent-decoded when it decodes). */
function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return raw;
  }
}

/**
 * Describes a database URL without its secrets, for logs; never throws.
 *
 * The password (everything between the first `:` of the user information and
 * its end) is replaced by `***`, as is the value of every query parameter
 * named like a secret (`password`, `sslpassword`, `pass`, ...). The user
 * information is taken to end at the LAST `@` of the URL, not at the first
 * `/`, `?` or `#` as a URL parser would: a password written without
 * percent-encoding may hold any of those, and an `@` in a database name or a
 * query value (rare) only costs the readability of the host part, never a leak.
 *
 * @example
 * ```ts
 * redactDbUrl("postgres://app:s3/cr@t@db:5432/news?sslpassword=x");
 * // "postgres://app:***@db:5432/news?sslpassword=***"
 * ```
 */
export function redactDbUrl(url: string): string {
  const s = String(url);
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(s)?.[0] ?? "";
  let rest = s.slice(scheme.length);
  let userinfo = "";
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    const info = rest.slice(0, at);
    const colon = info.indexOf(":");
    let user = colon === -1 ? info : info.slice(0, colon);
    // A "user" holding URL punctuation is not one (`host/db?password=p@...`):
    // show none of it.
    if (/[/?#&=;]/.test(user)) user = "***";
    userinfo = (colon === -1 ? user : `${user}:***`) + "@";
    rest = rest.slice(at + 1);
  }
  const q = rest.search(/[?#]/);
  if (q !== -1) {
    const query = rest.slice(q).replace(
      /([?&;#])([^=&;#]*)=([^&;#]*)/g,
      (all, sep: string, name: string) =>
        SECRET_PARAM.test(paramName(name)) ? `${sep}${name}=***` : all,
    );
    rest = rest.slice(0, q) + query;
  }
  return scheme + userinfo + rest;
}

/**
 * Waits until the database answers, retrying while it is unavailable with
 * exponential backoff (0.5 s doubling to 10 s); other errors are thrown at once.
 * Stops early, throwing, when `signal` aborts.
 */
export async function waitForDatabase(
  db: Db,
  options: {
    onRetry?: (attempt: number, delayMs: number, error: Error) => void;
    signal?: AbortSignal;
  } = {},
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await db.query("SELECT 1");
      return;
    } catch (err) {
      if (!(err instanceof DbUnavailableError)) throw err;
      options.signal?.throwIfAborted();
      const delayMs = Math.min(10_000, 500 * 2 ** (attempt - 1));
      options.onRetry?.(attempt, delayMs, err);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      options.signal?.throwIfAborted();
    }
  }
}
