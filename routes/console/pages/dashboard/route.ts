/** The dashboard, `/`: service health, request figures, review throughput and trends. */
import { Hono } from "hono";
import type { AppEnv } from "../../../env.ts";
import type { ConsoleShared } from "../../shared.ts";
import type { Db } from "../../../../db/mod.ts";
import type { Metrics } from "../../../../lib/metrics.ts";
import { DashboardPage } from "./DashboardPage.tsx";
import { taxonomyParam } from "../../forms.ts";
import { html } from "../../render.ts";
import type { PageHandler } from "../../signed_in.ts";
import { dashboardData } from "./load.ts";

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

/** `/`; needs a session. */
export function dashboardApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db, metrics } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/", page(dashboardPage(db, metrics)));
  return app;
}
