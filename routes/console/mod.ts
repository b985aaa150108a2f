/**
 * The review console: server-rendered Preact pages, sign-in and sign-out,
 * and the static assets (stylesheet, island bundles), each a small sub-app
 * mounted here. Pages read through `db/` like the API routes do; every write
 * a page makes is forwarded to the `/v1` JSON API in-process, so validation,
 * audit and error messages are the API's own. Sessions and CSRF: see
 * `lib/console_session.ts`.
 */
import { Hono } from "hono";
import type { Context, ErrorHandler } from "hono";
import type { AuthFailures } from "../auth_failures.ts";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { handleError } from "../errors.ts";
import { authApp } from "./auth.ts";
import { apiForwarder } from "./forward.ts";
import type { ConsoleShared } from "./shared.ts";
import { pagesApp } from "./pages/mod.ts";
import { failurePage } from "./render.ts";
import { consoleSessions } from "./signed_in.ts";
import { staticApp, staticAssets } from "./static.ts";

export interface ConsoleOptions {
  /** Signs session cookies (see `sessionSecret()` in lib/console_session.ts). */
  sessionSecret: string;
  /** The app's own fetch: page forms forward their writes to the `/v1` API through it. */
  api: (req: Request, env?: unknown) => Response | Promise<Response>;
  /** Failed sign-ins per client address, shared with the API (see routes/auth_failures.ts). */
  failures: AuthFailures;
  /** The request's client address (see routes/client_address.ts). */
  addressOf: (c: Context) => string;
  /** Folder with console.css and build/ (default: the project's `static/`). */
  staticDir?: URL;
}

/** The console, to be mounted at "/" beside the API. */
export function consoleApp(deps: AppDeps, options: ConsoleOptions): Hono<AppEnv> {
  const assets = staticAssets(options.staticDir ?? new URL("../../static/", import.meta.url));
  const secret = options.sessionSecret;
  const shared: ConsoleShared = {
    deps,
    secret,
    assets,
    sessions: consoleSessions(deps, { secret, assetVersion: assets.version }),
    forward: apiForwarder(options.api),
    failures: options.failures,
    addressOf: options.addressOf,
  };
  const app = new Hono<AppEnv>();
  // Console errors are pages, not JSON (the API's JSON shape is kept for /v1). The
  // sub-apps have no error handler of their own, so this one covers all their routes.
  app.onError(errorPages(shared));
  app.route("/", staticApp(assets));
  app.route("/", authApp(shared));
  app.route("/", pagesApp(shared));
  return app;
}

/** A refused request (4xx) as a page for whoever is signed in; anything else as the API does. */
function errorPages(shared: ConsoleShared): ErrorHandler<AppEnv> {
  return async (err, c) => {
    if (err instanceof AppError && err.status < 500) {
      const session = await shared.sessions.current(c);
      const viewer = session
        ? await shared.sessions.pageContext(c, session)
        : { assetVersion: await shared.assets.version() };
      return failurePage(c, viewer, err);
    }
    return handleError(err, c);
  };
}
