/**
 * Console sessions: a signed cookie naming the API key a reviewer signed in
 * with, when the session ends, and its CSRF token. Stateless, so any replica
 * can check it; the API key itself is never put in the cookie, only an HMAC
 * fingerprint of it, so rotating a key's value ends the sessions made with it.
 * Signing out adds the session's id to a revocation list in the database
 * (db/revoked_sessions.ts), which the routes check after the signature.
 *
 * Format: `base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload))`.
 * Written by hand because no maintained npm package does signed stateless
 * cookies with an embedded CSRF token without bringing a session store.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKey, Role } from "./config.ts";

/** Name of the session cookie over plain http. */
export const SESSION_COOKIE = "ni_session";
/**
 * Its name over https: browsers take a `__Host-` cookie only when it is `Secure`,
 * for `Path=/` and without `Domain`, so a neighbouring subdomain or a plain-http
 * page cannot plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = "__Host-ni_session";
/** Name of the short-lived cookie that protects the sign-in form (double submit). */
export const LOGIN_COOKIE = "ni_login";
/** Its name over https (`__Secure-`: it is scoped to `/login`, so `__Host-` cannot apply). */
export const SECURE_LOGIN_COOKIE = "__Secure-ni_login";

/** The session cookie's name for a request made over https or not. */
export function sessionCookieName(https: boolean): string {
  return https ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** The sign-in form cookie's name for a request made over https or not. */
export function loginCookieName(https: boolean): string {
  return https ? SECURE_LOGIN_COOKIE : LOGIN_COOKIE;
}

/** Form field and header that carry the CSRF token. */
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** What a verified session says. */
export interface Session {
  /** Names the session in the revocation list (a digest of its random token). */
  id: string;
  /** The API key's name: the reviewer, in audit logs. */
  name: string;
  /**
   * The key's role, read from the configured key at verification (never from the
   * cookie), so changing a key's role applies to its open sessions at once.
   */
  role: Role;
  /** Expiry, seconds since the epoch. */
  expires: number;
  /** The CSRF token every state-changing request of this session must carry. */
  csrf: string;
}

interface Payload {
  v: 1;
  n: string;
  e: number;
  c: string;
  /** HMAC fingerprint of the key's value. */
  f: string;
}

const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");

/** A new random signing secret (256 bits, base64url). */
export function newSessionSecret(): string {
  return b64url(randomBytes(32));
}

/**
 * The signing secret: `SESSION_SECRET` when set, else the one `serve` made for
 * this install and keeps in the database (cli/serve.ts), which it passes in the
 * same way. Without either (an app built in a test), a random secret for this
 * process. Never derived from the API keys: a key must not be guessable offline
 * from a session cookie.
 */
export function sessionSecret(configured?: string): string {
  return configured || newSessionSecret();
}

function sign(secret: string, data: string): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

function fingerprint(secret: string, key: ApiKey): string {
  return sign(secret, `key\u0000${key.name}\u0000${key.key}`).slice(0, 22);
}

/** Constant-time string comparison (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A random token (128 bits, base64url). */
export function randomToken(): string {
  return b64url(randomBytes(16));
}

/**
 * Makes a session for `key` lasting `ttlSeconds`, with a fresh CSRF token.
 *
 * @example
 * ```ts
 * const alice = { name: "alice", key: "k", role: "reviewer" } as const;
 * const { value } = createSession("s3cret", alice, { ttlSeconds: 3600 });
 * verifySession("s3cret", value, [alice])?.role; // "reviewer"
 * ```
 */
export function createSession(
  secret: string,
  key: ApiKey,
  options: { ttlSeconds: number; now?: number },
): { value: string; session: Session } {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: Payload = {
    v: 1,
    n: key.name,
    e: now + options.ttlSeconds,
    c: randomToken(),
    f: fingerprint(secret, key),
  };
  const body = b64url(Buffer.from(JSON.stringify(payload)));
  return {
    value: `${body}.${sign(secret, body)}`,
    session: {
      id: sessionId(payload.c),
      name: payload.n,
      role: key.role,
      expires: payload.e,
      csrf: payload.c,
    },
  };
}

/**
 * The session in a cookie value, or null when it is malformed, tampered with,
 * expired, or made with a key that is no longer configured (or whose value changed).
 */
export function verifySession(
  secret: string,
  value: string | undefined,
  keys: ApiKey[],
  now = Date.now(),
): Session | null {
  if (!value || value.length > 2048) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const body = value.slice(0, dot);
  if (!safeEqual(value.slice(dot + 1), sign(secret, body))) return null;
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (
    p?.v !== 1 || typeof p.n !== "string" || typeof p.e !== "number" ||
    typeof p.c !== "string" || typeof p.f !== "string"
  ) return null;
  if (p.e * 1000 <= now) return null;
  const key = keys.find((k) => k.name === p.n);
  if (!key || !safeEqual(p.f, fingerprint(secret, key))) return null;
  return { id: sessionId(p.c), name: p.n, role: key.role, expires: p.e, csrf: p.c };
}

/** A session's id: its CSRF token is random per session, but a secret, so it is hashed. */
function sessionId(csrf: string): string {
  return createHash("sha256").update(`session\u0000${csrf}`).digest("base64url").slice(0, 22);
}

/** True when `token` is the session's CSRF token (constant time). */
export function csrfMatches(session: Session, token: string | undefined | null): boolean {
  return typeof token === "string" && token.length > 0 && safeEqual(token, session.csrf);
}

/**
 * Whether a state-changing request comes from our own pages: `Sec-Fetch-Site`
 * (when the browser sends it) must be `same-origin`, and `Origin` (when sent)
 * must name the host the request was made to. Browsers send at least one of
 * them on every cross-site POST, so a forged form post fails here even before
 * the token check.
 */
export function isSameOrigin(headers: {
  origin?: string | null;
  secFetchSite?: string | null;
  host?: string | null;
  url: string;
}): boolean {
  const site = headers.secFetchSite;
  if (site && site !== "same-origin") return false;
  const origin = headers.origin;
  if (origin === undefined || origin === null) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false; // includes the opaque origin "null"
  }
  const host = headers.host || new URL(headers.url).host;
  return originHost === host;
}
