/**
 * The console's pages, one folder each: its route (`route.ts`: the handlers, and the forms
 * it posts to), its loader (`load.ts`, reading through `db/` and services) and its
 * components (`<Name>Page.tsx`). Every page needs a session.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import type { ConsoleShared } from "../shared.ts";
import { dashboardApp } from "./dashboard/route.ts";
import { reviewApp } from "./review/route.ts";
import { articlesApp } from "./articles/route.ts";
import { trendsApp } from "./trends/route.ts";
import { runsApp } from "./runs/route.ts";
import { queueApp } from "./queue/route.ts";
import { modelsApp } from "./models/route.ts";
import { storiesApp } from "./stories/route.ts";

/** Every page of the console, mounted at "/". */
export function pagesApp(shared: ConsoleShared): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .route("/", dashboardApp(shared))
    .route("/", reviewApp(shared))
    .route("/", articlesApp(shared))
    .route("/", trendsApp(shared))
    .route("/", runsApp(shared))
    .route("/", queueApp(shared))
    .route("/", modelsApp(shared))
    .route("/", storiesApp(shared));
}
