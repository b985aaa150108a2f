/**
 * The review console: server-rendered Preact pages, sign-in and sign-out,
 * and the static assets (stylesheet, island bundles). Pages read through
 * `db/`/`lib/` like the API routes do; every write a page makes is forwarded
 * to the `/v1` JSON API in-process, so validation, audit and error messages
 * are the API's own. Sessions and CSRF: see `lib/session.ts`.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import { createHash } from "node:crypto";
import { previousModelVersion } from "../db/models.ts";
import { REVIEW_REASONS, REVIEW_STATUSES, type ReviewFilter } from "../db/review/mod.ts";
import { isSessionRevoked, revokeSession } from "../db/sessions.ts";
import { BUCKETS } from "../db/trends.ts";
import { AppError } from "../lib/errors.ts";
import {
  createSession,
  CSRF_FIELD,
  isSameOrigin,
  LOGIN_COOKIE,
  randomToken,
  safeEqual,
  type Session,
  SESSION_COOKIE,
} from "../lib/session.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { handleError } from "./errors.ts";
import { matchApiKey, requireCsrf, sessionReader } from "./middleware.ts";
import { ArticlePage } from "./pages/ArticlePage.tsx";
import { ArticlesPage } from "./pages/ArticlesPage.tsx";
import { ConfirmPage } from "./pages/ConfirmPage.tsx";
import { DashboardPage } from "./pages/DashboardPage.tsx";
import type { PageContext } from "./pages/Layout.tsx";
import {
  articleData,
  articlesData,
  countOpen,
  dashboardData,
  FLAG_REASONS,
  modelsData,
  queueData,
  trendsForPage,
} from "./pages/loaders.ts";
import { LoginPage } from "./pages/LoginPage.tsx";
import { MessagePage } from "./pages/MessagePage.tsx";
import { ModelsPage } from "./pages/ModelsPage.tsx";
import { QueuePage } from "./pages/QueuePage.tsx";
import { ReviewPage } from "./pages/ReviewPage.tsx";
import { TrendsPage } from "./pages/TrendsPage.tsx";

export interface ConsoleOptions {
  /** Signs session cookies (see `sessionSecret()` in lib/session.ts). */
  sessionSecret: string;
  /** The app's own fetch: page forms forward their writes to the `/v1` API through it. */
  api: (req: Request) => Response | Promise<Response>;
  /** Folder with console.css and build/ (default: `static/` beside routes/). */
  staticDir?: URL;
}

/** Console forms are a few short fields. */
const FORM_MAX_BYTES = 64 * 1024;

/** `name.ext` or `build/name.ext`: no dot files, no traversal. */
const STATIC_NAME = /^(build\/)?[A-Za-z0-9_][\w.-]*$/;

const STATIC_TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  png: "image/png",
  svg: "image/svg+xml",
};

/**
 * `next` after sign-in: a local path only (no scheme, host, `//` or
 * backslash tricks), else `/`.
 */
export function safeNext(next: string | undefined | null): string {
  const control = [...(next ?? "")].some((ch) => ch.charCodeAt(0) < 0x20 || ch === "\\");
  if (!next || next.length > 2000 || !next.startsWith("/") || control) {
    return "/";
  }
  if (next.startsWith("//")) return "/";
  try {
    const u = new URL(next, "http://console.invalid");
    if (u.origin !== "http://console.invalid") return "/";
    if (u.pathname === "/login" || u.pathname === "/logout") return "/";
    return u.pathname + u.search;
  } catch {
    return "/";
  }
}

/** `YYYY-MM-DD` → ISO start of that UTC day (`plusDays` later), or undefined. */
function dayStart(value: string | undefined, plusDays = 0): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : new Date(t + plusDays * 86_400_000).toISOString();
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

const oneOf = <T extends string>(list: readonly T[], v: string | undefined): T | undefined =>
  list.includes(v as T) ? v as T : undefined;

const trimmed = (v: string | undefined, max = 200) => {
  const s = v?.trim();
  return s && s.length <= max && !s.includes("\u0000") ? s : undefined;
};

/** The filters a bulk accept (and the queue page) take, from form or query strings. */
function reviewFilter(p: Record<string, string | undefined>): ReviewFilter {
  const minScore = p.minScore ? Number(p.minScore) : undefined;
  return {
    status: oneOf(REVIEW_STATUSES, p.status),
    reason: oneOf(REVIEW_REASONS, p.reason),
    label: trimmed(p.label),
    source: trimmed(p.source),
    minScore: minScore !== undefined && minScore >= 0 && minScore <= 1 ? minScore : undefined,
    since: dayStart(p.since),
    until: dayStart(p.until, 1),
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function consoleApp(deps: AppDeps, options: ConsoleOptions): Hono<AppEnv> {
  const { db, config, metrics } = deps;
  const secret = options.sessionSecret;
  const staticDir = options.staticDir ?? new URL("../static/", import.meta.url);
  const files = new Map<string, { body: Uint8Array; etag: string }>();
  let assetVersion: string | null = null;

  const readStatic = async (rel: string) => {
    const hit = files.get(rel);
    if (hit) return hit;
    const body = await Deno.readFile(new URL(rel, staticDir)).catch(() => null);
    if (!body) return null;
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
    const entry = { body, etag };
    files.set(rel, entry);
    return entry;
  };

  /** Changes whenever the stylesheet or the island build changes. */
  const version = async () => {
    if (assetVersion) return assetVersion;
    const css = await readStatic("console.css");
    const manifest = await readStatic("build/manifest.json");
    assetVersion = createHash("sha256")
      .update(css?.etag ?? "").update(manifest?.etag ?? "").digest("hex").slice(0, 10);
    return assetVersion;
  };

  const html = (c: Context, node: VNode, status: 200 | 401 | 403 | 404 | 409 | 422 = 200) => {
    c.header("cache-control", "no-store");
    return c.html("<!DOCTYPE html>" + render(node), status);
  };

  const sessionOf = sessionReader(secret, config.apiKeys, (id) => isSessionRevoked(db, id));

  const contextOf = async (c: Context, session: Session): Promise<PageContext> => ({
    name: session.name,
    csrf: session.csrf,
    assetVersion: await version(),
    path: c.req.path,
  });

  /** Registers a signed-in GET page; without a session it redirects to sign-in. */
  const page = (
    path: string,
    handler: (c: Context<AppEnv>, ctx: PageContext) => Promise<Response>,
  ) =>
    app.get(path, async (c) => {
      const session = await sessionOf(c);
      if (!session) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
      }
      return handler(c, await contextOf(c, session));
    });

  /**
   * Registers a signed-in form POST: the session, our origin and the form's
   * CSRF token are checked first (403 otherwise); without a session, sign in.
   */
  const form = (
    path: string,
    handler: (
      c: Context<AppEnv>,
      ctx: PageContext,
      session: Session,
      body: Record<string, string>,
    ) => Promise<Response>,
  ) =>
    app.post(path, formLimit, async (c) => {
      const body = await formBody(c);
      const session = await sessionOf(c);
      if (!session) {
        if (!sameOrigin(c)) {
          throw new AppError(403, "crossSiteRequest", "Cross-site requests are not accepted.");
        }
        return c.redirect("/login", 303);
      }
      requireCsrf(c, session, body[CSRF_FIELD] ?? "");
      return handler(c, await contextOf(c, session), session, body);
    });

  const sameOrigin = (c: Context) =>
    isSameOrigin({
      origin: c.req.header("origin"),
      secFetchSite: c.req.header("sec-fetch-site"),
      host: c.req.header("host"),
      url: c.req.url,
    });

  /** Calls the JSON API as this session (cookie, CSRF header, our origin). */
  const forward = async (c: Context<AppEnv>, session: Session, path: string, body?: unknown) => {
    const url = new URL(path, c.req.url);
    const headers = new Headers({
      cookie: c.req.header("cookie") ?? "",
      origin: url.origin,
      "sec-fetch-site": "same-origin",
      "x-csrf-token": session.csrf,
      "x-request-id": c.get("requestId"),
    });
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await options.api(
      new Request(url, {
        method: "POST",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const json = await res.json().catch(() => null);
    return {
      ok: res.ok,
      status: res.status,
      data: json,
      message: (json?.error?.message as string | undefined) ?? `HTTP ${res.status}`,
    };
  };

  const failed = async (c: Context, ctx: PageContext | null, status: number, message: string) =>
    html(
      c,
      MessagePage({
        ctx,
        assetVersion: await version(),
        title: status === 403 ? "Not allowed" : status === 404 ? "Not found" : "That did not work",
        message,
        back: c.req.header("referer") && ctx
          ? safeNext(new URL(c.req.header("referer")!).pathname)
          : undefined,
      }),
      ([401, 403, 404, 409, 422].includes(status) ? status : 422) as 422,
    );

  const app = new Hono<AppEnv>();
  // Per route, never as a "*" middleware: this app is mounted at "/" beside the API.
  const formLimit = bodyLimit({
    maxSize: FORM_MAX_BYTES,
    onError: () => {
      throw new AppError(413, "payloadTooLarge", "The form is too large.");
    },
  });

  // Console errors are pages, not JSON (the API's JSON shape is kept for /v1).
  app.onError(async (err, c) => {
    if (err instanceof AppError && err.status < 500) {
      const session = await sessionOf(c);
      return failed(c, session ? await contextOf(c, session) : null, err.status, err.message);
    }
    return handleError(err, c);
  });

  // ------------------------------------------------------------ static assets
  app.get("/static/:file", (c) => serveStatic(c, c.req.param("file")));
  app.get("/static/build/:file", (c) => serveStatic(c, `build/${c.req.param("file")}`));
  const serveStatic = async (c: Context, rel: string) => {
    const file = STATIC_NAME.test(rel) ? await readStatic(rel) : null;
    const type = STATIC_TYPES[rel.split(".").pop() ?? ""];
    if (!file || !type) {
      throw new AppError(404, "notFound", `No static file ${rel}.`);
    }
    c.header("etag", file.etag);
    // Chunk names carry their content hash; everything else is revalidated (cheap 304s).
    c.header(
      "cache-control",
      /^build\/chunk-/.test(rel) ? "public, max-age=31536000, immutable" : "no-cache",
    );
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304);
    c.header("content-type", type);
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200);
  };

  // ------------------------------------------------------------ sign-in and out
  app.get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await sessionOf(c)) return c.redirect(next, 302);
    return loginForm(c, next, null, c.req.query("done") === "signed-out" ? "Signed out." : null);
  });

  const loginForm = async (
    c: Context,
    next: string,
    error: string | null,
    notice: string | null,
    status: 200 | 401 | 403 = 200,
  ) => {
    // Double-submit token against login CSRF (signing a victim into our key).
    const token = randomToken();
    setCookie(c, LOGIN_COOKIE, token, {
      path: "/login",
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
      maxAge: 3600,
    });
    return html(
      c,
      LoginPage({ assetVersion: await version(), next, formToken: token, error, notice }),
      status,
    );
  };

  app.post("/login", formLimit, async (c) => {
    const body = await formBody(c);
    const next = safeNext(body.next);
    const expected = getCookie(c, LOGIN_COOKIE);
    if (!sameOrigin(c) || !expected || !safeEqual(expected, body[CSRF_FIELD] ?? "")) {
      return loginForm(
        c,
        next,
        "The sign-in form expired or came from elsewhere; try again.",
        null,
        403,
      );
    }
    const key = body.key ? matchApiKey(config.apiKeys, body.key.trim()) : null;
    if (!key) return loginForm(c, next, "That API key is not valid.", null, 401);
    const { value } = createSession(secret, key, { ttlSeconds: config.sessionTtlSeconds });
    setCookie(c, SESSION_COOKIE, value, {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
      maxAge: config.sessionTtlSeconds,
    });
    deleteCookie(c, LOGIN_COOKIE, { path: "/login" });
    return c.redirect(next, 303);
  });

  app.post("/logout", formLimit, async (c) => {
    const body = await formBody(c);
    const session = await sessionOf(c);
    if (session) {
      requireCsrf(c, session, body[CSRF_FIELD] ?? "");
      // Ends the session everywhere, not only in this browser: a copy of the cookie
      // is refused from now on.
      await revokeSession(db, session.id, session.expires);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
    return c.redirect("/login?done=signed-out", 303);
  });

  // ------------------------------------------------------------ pages
  page(
    "/",
    async (c, ctx) => html(c, DashboardPage({ ctx, data: await dashboardData(db, metrics) })),
  );

  page(
    "/review",
    (c, ctx) => Promise.resolve(html(c, ReviewPage({ ctx, flagReasons: [...FLAG_REASONS] }))),
  );

  page("/queue", async (c, ctx) => {
    const q = c.req.query();
    const filter = reviewFilter(q);
    const order = oneOf(["margin", "oldest", "newest"] as const, q.order);
    const data = await queueData(db, { ...withoutUndefined(filter), order });
    const done = c.req.query("done");
    const n = Number(c.req.query("n") ?? 0);
    const ok = done === "bulk-accepted"
      ? `Accepted ${n} item${n === 1 ? "" : "s"}${
        c.req.query("more") ? "; more match: run it again to continue" : ""
      }.`
      : null;
    return html(
      c,
      QueuePage({
        ctx,
        data,
        params: {
          status: filter.status,
          reason: filter.reason,
          label: filter.label,
          source: filter.source,
          minScore: filter.minScore === undefined ? undefined : String(filter.minScore),
          since: dayStart(q.since) ? q.since : undefined,
          until: dayStart(q.until) ? q.until : undefined,
          order,
        },
        statuses: REVIEW_STATUSES,
        reasons: REVIEW_REASONS,
        flash: { ok },
      }),
    );
  });

  form("/queue/bulk-accept", async (c, ctx, session, body) => {
    const { status: _status, ...filter } = withoutUndefined(reviewFilter(body));
    if (Object.keys(filter).length === 0) {
      return failed(
        c,
        ctx,
        422,
        "Bulk accept needs at least one filter: a label, a minimum score, a source or dates.",
      );
    }
    if (body.confirm !== "yes") {
      const n = await countOpen(db, filter);
      const fields: Record<string, string> = {};
      for (const k of ["label", "minScore", "source", "since", "until", "reason"]) {
        if (body[k]) fields[k] = body[k];
      }
      const described = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(", ");
      return html(
        c,
        ConfirmPage({
          ctx,
          title: "Accept these predictions?",
          action: "/queue/bulk-accept",
          fields,
          confirmLabel: `Accept ${n > 1000 ? "over 1,000" : n} item${n === 1 ? "" : "s"}`,
          cancelHref: "/queue",
          message:
            `${n > 1000 ? "More than 1,000" : n} open item${
              n === 1 ? "" : "s"
            } match ${described}. ` +
            "Each gets your decision “accept the predicted label”, recorded in the audit log under " +
            ctx.name +
            ". You can undo only your most recent decision.",
        }),
      );
    }
    const r = await forward(c, session, "/v1/review/bulk-accept", { ...filter, limit: 5000 });
    if (!r.ok) return failed(c, ctx, r.status, r.message);
    const more = r.data.accepted === 5000 ? "&more=1" : "";
    return c.redirect(`/queue?done=bulk-accepted&n=${r.data.accepted}${more}`, 303);
  });

  page("/articles", async (c, ctx) => {
    const q = c.req.query();
    const params = {
      q: trimmed(q.q, 500),
      source: trimmed(q.source),
      language: trimmed(q.language, 16),
      since: dayStart(q.since) ? q.since : undefined,
      until: dayStart(q.until) ? q.until : undefined,
    };
    const before = Number(q.before);
    const data = await articlesData(db, {
      ...withoutUndefined({
        q: params.q,
        source: params.source,
        language: params.language,
        since: dayStart(params.since),
        until: dayStart(params.until, 1),
      }),
      beforeId: Number.isSafeInteger(before) && before > 0 ? before : undefined,
    });
    return html(c, ArticlesPage({ ctx, data, params }));
  });

  page("/articles/:id{[0-9]{1,15}}", async (c, ctx) => {
    const data = await articleData(db, Number(c.req.param("id")));
    return html(c, ArticlePage({ ctx, data }));
  });

  page("/models", async (c, ctx) => {
    const done = c.req.query("done");
    const v = trimmed(c.req.query("v"));
    const ok = done === "promoted"
      ? `Promoted ${v}; every replica serves it within seconds.`
      : done === "rolled-back"
      ? `Rolled back to ${v}.`
      : null;
    return html(
      c,
      ModelsPage({
        ctx,
        data: await modelsData(db),
        selected: trimmed(c.req.query("version")) ?? null,
        flash: { ok },
      }),
    );
  });

  form("/models/promote", async (c, ctx, session, body) => {
    const version = trimmed(body.version);
    if (!version) return failed(c, ctx, 422, "Which model? No version was given.");
    if (body.confirm !== "yes") {
      return html(
        c,
        ConfirmPage({
          ctx,
          title: `Promote ${version}?`,
          action: "/models/promote",
          fields: { version },
          confirmLabel: "Promote",
          cancelHref: "/models",
          message:
            "Every replica switches to this model within seconds, and new articles are classified " +
            "by it. You can roll back afterwards.",
        }),
      );
    }
    const r = await forward(c, session, `/v1/models/${encodeURIComponent(version)}/promote`);
    if (!r.ok) return failed(c, ctx, r.status, r.message);
    return c.redirect(`/models?done=promoted&v=${encodeURIComponent(version)}`, 303);
  });

  form("/models/rollback", async (c, ctx, session, body) => {
    if (body.confirm !== "yes") {
      const previous = await previousModelVersion(db);
      if (!previous) return failed(c, ctx, 409, "No earlier model was ever active.");
      return html(
        c,
        ConfirmPage({
          ctx,
          title: "Roll back the active model?",
          action: "/models/rollback",
          fields: {},
          confirmLabel: `Roll back to ${previous}`,
          cancelHref: "/models",
          danger: true,
          message:
            `The model that was active before the current one (${previous}) becomes active again ` +
            "on every replica.",
        }),
      );
    }
    const r = await forward(c, session, "/v1/models/rollback");
    if (!r.ok) return failed(c, ctx, r.status, r.message);
    return c.redirect(`/models?done=rolled-back&v=${encodeURIComponent(r.data.version)}`, 303);
  });

  page("/trends", async (c, ctx) => {
    const q = c.req.query();
    const trends = await trendsForPage(db, {
      bucket: oneOf(BUCKETS, q.bucket),
      from: dayStart(q.from) ? q.from : undefined,
      to: dayStart(q.to) ? q.to : undefined,
      source: q.source === undefined ? undefined : trimmed(q.source) ?? "",
    });
    return html(c, TrendsPage({ ctx, trends }));
  });

  return app;
}

/** Form fields (urlencoded or multipart) as strings; files are ignored. */
async function formBody(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!/application\/x-www-form-urlencoded|multipart\/form-data/.test(type)) return {};
  const parsed = await c.req.parseBody().catch(() => ({}));
  return Object.fromEntries(
    Object.entries(parsed).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
}
