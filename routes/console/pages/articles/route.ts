/** The article list, `/articles`, and one article, `/articles/:id`. */
import { Hono } from "hono";
import type { AppEnv } from "../../../env.ts";
import type { ConsoleShared } from "../../shared.ts";
import type { Db } from "../../../../db/mod.ts";
import { ArticlePage } from "./ArticlePage.tsx";
import { ArticlesPage } from "./ArticlesPage.tsx";
import { dayStart, taxonomyParam, trimmed, withoutUndefined } from "../../forms.ts";
import { html } from "../../render.ts";
import type { PageHandler } from "../../signed_in.ts";
import { articleData, articlesData } from "./load.ts";

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

/** `/articles` and `/articles/:id`; needs a session. */
export function articlesApp(shared: ConsoleShared): Hono<AppEnv> {
  const { db } = shared.deps;
  const { page } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/articles", page(articlesPage(db)));
  app.get("/articles/:id{[0-9]{1,15}}", page(articlePage(db)));
  return app;
}
