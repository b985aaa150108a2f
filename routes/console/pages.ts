/**
 * The console's reading pages: the dashboard, the review desk (an island that
 * talks to the API itself), the article list and one article, trends, and the
 * training runs.
 * Every one needs a session.
 */
import { Hono } from "hono";
import type { Db } from "../../db/mod.ts";
import { BUCKETS } from "../../db/trends.ts";
import type { Metrics } from "../../lib/metrics.ts";
import type { AppEnv } from "../env.ts";
import { ArticlePage } from "../pages/ArticlePage.tsx";
import { ArticlesPage } from "../pages/ArticlesPage.tsx";
import { DashboardPage } from "../pages/DashboardPage.tsx";
import {
  articleData,
  articlesData,
  dashboardData,
  FLAG_REASONS,
  runsData,
  taxonomyChoice,
  trendsForPage,
} from "../pages/loaders.ts";
import { RunsPage } from "../pages/RunsPage.tsx";
import { ReviewPage } from "../pages/ReviewPage.tsx";
import { TrendsPage } from "../pages/TrendsPage.tsx";
import { dayStart, oneOf, taxonomyParam, trimmed, withoutUndefined } from "./forms.ts";
import type { ConsoleShared } from "./shared.ts";
import { html } from "./render.ts";
import type { PageHandler } from "./signed_in.ts";

/** `/`, `/review`, `/articles`, `/articles/:id`, `/trends` and `/runs`. */
export function pagesApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db, metrics } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/", page(dashboardPage(db, metrics)));
  app.get("/review", page(reviewPage(db)));
  app.get("/articles", page(articlesPage(db)));
  app.get("/articles/:id{[0-9]{1,15}}", page(articlePage(db)));
  app.get("/trends", page(trendsPage(db)));
  app.get("/runs", page(runsPage(db)));
  return app;
}

function dashboardPage(db: Db, metrics: Metrics): PageHandler {
  return async (c, ctx) =>
    html(
      c,
      DashboardPage({
        ctx,
        data: await dashboardData(db, metrics, taxonomyParam(c.req.query("taxonomy"))),
      }),
    );
}

/** The desk, for one taxonomy's items (`?taxonomy=`; `topic` by default). */
function reviewPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const choice = await taxonomyChoice(db, taxonomyParam(c.req.query("taxonomy")));
    return html(c, ReviewPage({ ctx, flagReasons: [...FLAG_REASONS], ...choice }));
  };
}

/**
 * Newest first, filtered by text, source, language, dates and a taxonomy's label;
 * `before` pages back by id.
 */
function articlesPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const q = c.req.query();
    const params = {
      q: trimmed(q.q, 500),
      source: trimmed(q.source),
      language: trimmed(q.language, 16),
      since: dayStart(q.since) ? q.since : undefined,
      until: dayStart(q.until) ? q.until : undefined,
      label: trimmed(q.label),
      taxonomy: taxonomyParam(q.taxonomy),
    };
    const before = Number(q.before);
    const data = await articlesData(db, {
      ...withoutUndefined({
        q: params.q,
        source: params.source,
        language: params.language,
        since: dayStart(params.since),
        until: dayStart(params.until, 1),
        label: params.label,
        taxonomy: params.taxonomy,
      }),
      beforeId: Number.isSafeInteger(before) && before > 0 ? before : undefined,
    });
    return html(c, ArticlesPage({ ctx, data, params }));
  };
}

function articlePage(db: Db): PageHandler {
  return async (c, ctx) => {
    const data = await articleData(db, Number(c.req.param("id")));
    return html(c, ArticlePage({ ctx, data }));
  };
}

function trendsPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const q = c.req.query();
    const { taxonomies, taxonomy } = await taxonomyChoice(db, taxonomyParam(q.taxonomy));
    const trends = await trendsForPage(db, {
      taxonomy,
      bucket: oneOf(BUCKETS, q.bucket),
      from: dayStart(q.from) ? q.from : undefined,
      to: dayStart(q.to) ? q.to : undefined,
      source: q.source === undefined ? undefined : trimmed(q.source) ?? "",
    });
    return html(c, TrendsPage({ ctx, trends, taxonomies }));
  };
}

/** A run id from the query: a positive whole number, or undefined. */
function runId(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/** Every run, and the two chosen as `a` and `b` compared. */
function runsPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const pick = withoutUndefined({ a: runId(c.req.query("a")), b: runId(c.req.query("b")) });
    const data = await runsData(db, pick);
    return html(c, RunsPage({ ctx, data, pick }));
  };
}
