/** The review desk, `/review`: an island that talks to the API itself. */
import { Hono } from "hono";
import type { AppEnv } from "../../../env.ts";
import type { ConsoleShared } from "../../shared.ts";
import type { Db } from "../../../../db/mod.ts";
import { ReviewPage } from "./ReviewPage.tsx";
import { taxonomyParam } from "../../forms.ts";
import { html } from "../../render.ts";
import type { PageHandler } from "../../signed_in.ts";
import { taxonomyChoice } from "../taxonomy.ts";
import { FLAG_REASONS } from "../../../../db/review/mod.ts";

/** The desk, for one taxonomy's items (`?taxonomy=`; `topic` by default). */
function reviewPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const choice = await taxonomyChoice(db, taxonomyParam(c.req.query("taxonomy")));
    return html(c, ReviewPage({ ctx, flagReasons: [...FLAG_REASONS], ...choice }));
  };
}

/** `/review`; needs a session. */
export function reviewApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/review", page(reviewPage(db)));
  return app;
}
