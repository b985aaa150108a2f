/** The trends page, `/trends`: the chart is an island that loads `/v1/trends` itself. */
import { Hono } from "hono";
import type { AppEnv } from "../../../env.ts";
import type { ConsoleShared } from "../../shared.ts";
import type { Db } from "../../../../db/mod.ts";
import { BUCKETS } from "../../../../db/trends.ts";
import { TrendsPage } from "./TrendsPage.tsx";
import { dayStart, oneOf, taxonomyParam, trimmed } from "../../forms.ts";
import { html } from "../../render.ts";
import type { PageHandler } from "../../signed_in.ts";
import { taxonomyChoice } from "../taxonomy.ts";
import { trendsForPage } from "./load.ts";

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

/** `/trends`; needs a session. */
export function trendsApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/trends", page(trendsPage(db)));
  return app;
}
