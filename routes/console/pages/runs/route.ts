/** The training runs page, `/runs`, with two runs compared. */
import { Hono } from "hono";
import type { AppEnv } from "../../../env.ts";
import type { ConsoleShared } from "../../shared.ts";
import type { Db } from "../../../../db/mod.ts";
import { RunsPage } from "./RunsPage.tsx";
import { withoutUndefined } from "../../forms.ts";
import { html } from "../../render.ts";
import type { PageHandler } from "../../signed_in.ts";
import { runsData } from "./load.ts";

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

/** `/runs`; needs a session. */
export function runsApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/runs", page(runsPage(db)));
  return app;
}
