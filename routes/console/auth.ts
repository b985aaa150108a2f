/**
 * Sign-in and sign-out: the login form (with a double-submit token against
 * login CSRF, i.e. signing a victim into our key), the session cookie it
 * sets, and sign-out, which revokes the session everywhere.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { revokeSession } from "../../db/revoked_sessions.ts";
import {
  createSession,
  CSRF_FIELD,
  loginCookieName,
  randomToken,
  safeEqual,
  sessionCookieName,
} from "../../lib/console_session.ts";
import type { AppEnv } from "../env.ts";
import { isHttps, matchApiKey, requireCsrf } from "../middleware.ts";
import { LoginPage } from "../pages/LoginPage.tsx";
import { formBody, formLimit } from "./forms.ts";
import type { ConsoleShared } from "./shared.ts";
import { safeNext } from "./next.ts";
import { html } from "./render.ts";
import { sameOrigin } from "./signed_in.ts";

/** `GET /login`, `POST /login` and `POST /logout`. */
export function authApp(shared: ConsoleShared): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/login", (c) => showLogin(c, shared));
  app.post("/login", formLimit, (c) => signIn(c, shared));
  app.post("/logout", formLimit, (c) => signOut(c, shared));
  return app;
}

/** The login form; a signed-in visitor goes straight on to `next`. */
async function showLogin(c: Context<AppEnv>, shared: ConsoleShared): Promise<Response> {
  const next = safeNext(c.req.query("next"));
  if (await shared.sessions.current(c)) return c.redirect(next, 302);
  return loginForm(c, shared, {
    next,
    notice: c.req.query("done") === "signed-out" ? "Signed out." : null,
  });
}

/** What the login form says besides its fields, and the status it is sent with. */
interface LoginView {
  next: string;
  error?: string | null;
  notice?: string | null;
  status?: 200 | 401 | 403 | 429;
}

/** Renders the login form with a fresh double-submit token in its own cookie. */
async function loginForm(c: Context, shared: ConsoleShared, view: LoginView): Promise<Response> {
  const token = randomToken();
  const https = isHttps(c);
  setCookie(c, loginCookieName(https), token, {
    path: "/login",
    httpOnly: true,
    sameSite: "Strict",
    secure: https,
    maxAge: 3600,
  });
  const { next, error = null, notice = null, status = 200 } = view;
  return html(
    c,
    LoginPage({
      assetVersion: await shared.assets.version(),
      next,
      formToken: token,
      error,
      notice,
    }),
    status,
  );
}

/**
 * `POST /login`: the form token must match its cookie and the post come from
 * our origin (403), the key must be valid (401); then the session cookie is
 * set and the browser goes on to `next`.
 */
async function signIn(c: Context<AppEnv>, shared: ConsoleShared): Promise<Response> {
  const { config } = shared.deps;
  const body = await formBody(c);
  const next = safeNext(body.next);
  // An address that keeps failing waits before its next key is even compared.
  const addr = shared.addressOf(c);
  const wait = shared.failures.retryAfter(addr);
  if (wait > 0) {
    c.header("Retry-After", String(wait));
    const error = `Too many failed sign-ins from this address; try again in ${wait} seconds.`;
    return loginForm(c, shared, { next, error, status: 429 });
  }
  const https = isHttps(c);
  const expected = getCookie(c, loginCookieName(https));
  if (!sameOrigin(c) || !expected || !safeEqual(expected, body[CSRF_FIELD] ?? "")) {
    return loginForm(c, shared, {
      next,
      error: "The sign-in form expired or came from elsewhere; try again.",
      status: 403,
    });
  }
  const key = body.key ? matchApiKey(config.apiKeys, body.key.trim()) : null;
  if (!key) {
    shared.failures.record(addr);
    return loginForm(c, shared, { next, error: "That API key is not valid.", status: 401 });
  }
  const { value } = createSession(shared.secret, key, { ttlSeconds: config.sessionTtlSeconds });
  setCookie(c, sessionCookieName(https), value, {
    path: "/",
    httpOnly: true,
    sameSite: "Strict",
    secure: https,
    maxAge: config.sessionTtlSeconds,
  });
  deleteCookie(c, loginCookieName(https), { path: "/login", secure: https });
  return c.redirect(next, 303);
}

/** `POST /logout`: needs the session's CSRF token; clears the cookie either way. */
async function signOut(c: Context<AppEnv>, shared: ConsoleShared): Promise<Response> {
  const body = await formBody(c);
  const session = await shared.sessions.current(c);
  if (session) {
    requireCsrf(c, session, body[CSRF_FIELD] ?? "");
    // Ends the session everywhere, not only in this browser: a copy of the cookie
    // is refused from now on.
    await revokeSession(shared.deps.db, session.id, session.expires);
  }
  const https = isHttps(c);
  deleteCookie(c, sessionCookieName(https), { path: "/", secure: https });
  return c.redirect("/login?done=signed-out", 303);
}
