/**
 * Signed-in console routes: reading the session from its cookie, what every
 * page's layout needs from it, and the guards for pages (no session → sign-in
 * with `next`) and form posts (session, origin and CSRF token checked first).
 * Sessions and CSRF themselves: see `lib/console_session.ts`.
 */
import type { Context, Handler } from "hono";
import { isSessionRevoked } from "../../db/revoked_sessions.ts";
import { AppError } from "../../lib/errors.ts";
import { CSRF_FIELD, isSameOrigin, type Session } from "../../lib/console_session.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { requireCsrf, sessionReader } from "../middleware.ts";
import type { PageContext } from "../pages/Layout.tsx";
import { formBody } from "./forms.ts";

/** A signed-in GET page. */
export type PageHandler = (c: Context<AppEnv>, ctx: PageContext) => Promise<Response>;

/** A signed-in form post that passed the checks: who sent it and its fields. */
export interface FormPost {
  ctx: PageContext;
  session: Session;
  body: Record<string, string>;
}

/** A signed-in form post's handler. */
export type FormHandler = (c: Context<AppEnv>, post: FormPost) => Promise<Response>;

/** The console's view of sessions (built once per app by {@link consoleSessions}). */
export interface ConsoleSessions {
  /** The request's session: signed, unexpired, not revoked; else null. */
  current(c: Context): Promise<Session | null>;
  /** What a signed-in page's layout needs. */
  pageContext(c: Context, session: Session): Promise<PageContext>;
  /** `handler` for a signed-in page; without a session it redirects to `/login?next=`. */
  page(handler: PageHandler): Handler<AppEnv>;
  /**
   * `handler` for a signed-in form post: the session, our origin and the
   * form's CSRF token are checked first (403 otherwise); without a session,
   * sign in. Mount it after `formLimit`.
   */
  form(handler: FormHandler): Handler<AppEnv>;
}

/** Sessions signed with `secret`, for the keys and revocations in `deps`. */
export function consoleSessions(
  deps: AppDeps,
  options: { secret: string; assetVersion: () => Promise<string> },
): ConsoleSessions {
  const { db, config } = deps;
  const current = sessionReader(options.secret, config.apiKeys, (id) => isSessionRevoked(db, id));

  const pageContext = async (c: Context, session: Session): Promise<PageContext> => ({
    name: session.name,
    admin: session.role === "admin",
    csrf: session.csrf,
    assetVersion: await options.assetVersion(),
    path: c.req.path,
  });

  const page = (handler: PageHandler): Handler<AppEnv> => async (c) => {
    const session = await current(c);
    if (!session) {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    return handler(c, await pageContext(c, session));
  };

  const form = (handler: FormHandler): Handler<AppEnv> => async (c) => {
    const body = await formBody(c);
    const session = await current(c);
    if (!session) {
      if (!sameOrigin(c)) {
        throw new AppError(403, "crossSiteRequest", "Cross-site requests are not accepted.");
      }
      return c.redirect("/login", 303);
    }
    requireCsrf(c, session, body[CSRF_FIELD] ?? "");
    return handler(c, { ctx: await pageContext(c, session), session, body });
  };

  return { current, pageContext, page, form };
}

/** Whether the request comes from our own origin (Origin / Sec-Fetch-Site against Host). */
export function sameOrigin(c: Context): boolean {
  return isSameOrigin({
    origin: c.req.header("origin"),
    secFetchSite: c.req.header("sec-fetch-site"),
    host: c.req.header("host"),
    url: c.req.url,
  });
}
