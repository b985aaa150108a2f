/**
 * The Stories pages and their corrections: `GET /stories` (developing stories), `GET
 * /stories/:id` (one story), and the forms that move an article, split a story and merge
 * one into another, each sent to the API as the signed-in reviewer.
 */
import { Hono } from "hono";
import type { Db } from "../../../../db/mod.ts";
import type { AppEnv } from "../../../env.ts";
import { StoriesPage } from "./StoriesPage.tsx";
import { StoryPage } from "./StoryPage.tsx";
import { storiesData, storyData } from "./load.ts";
import { formLimit, oneOf } from "../../forms.ts";
import type { ConsoleShared } from "../../shared.ts";
import { failurePage, html } from "../../render.ts";
import type { FormHandler, PageHandler } from "../../signed_in.ts";
import { AppError } from "../../../../lib/errors.ts";

const SORTS = ["growth", "size", "recent"] as const;
/** The periods the Stories page offers, in days. */
const PERIODS = [7, 30, 90, 365];
const ID = /^[0-9]{1,15}$/;
/** Articles one split form may tick at most. */
const MAX_TICKED = 500;

export function storiesApp(shared: ConsoleShared): Hono<AppEnv> {
  const { page, form } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/stories", page(storiesPage(shared.deps.db)));
  app.get("/stories/:id{[0-9]{1,15}}", page(storyPage(shared.deps.db)));
  app.post("/stories/:id{[0-9]{1,15}}/move", formLimit, form(move(shared)));
  app.post("/stories/:id{[0-9]{1,15}}/split", formLimit, form(split(shared)));
  app.post("/stories/:id{[0-9]{1,15}}/merge", formLimit, form(merge(shared)));
  return app;
}

function storiesPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const sort = oneOf(SORTS, c.req.query("sort")) ?? "growth";
    const asked = Number(c.req.query("days"));
    const days = PERIODS.includes(asked) ? asked : 30;
    const data = await storiesData(db, { sort, days, minArticles: 2 });
    return html(c, StoriesPage({ ctx, data, sort, days }));
  };
}

const DONE: Record<string, string> = {
  moved: "Article moved; it stays there when stories are regrouped.",
  split: "Articles split off into a new story.",
  merged: "Stories merged.",
};

function storyPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const id = Number(c.req.param("id"));
    const data = await storyData(db, id);
    if (!data) throw new AppError(404, "storyNotFound", `No story ${id}.`);
    return html(c, StoryPage({ ctx, data, flash: DONE[c.req.query("done") ?? ""] ?? null }));
  };
}

/** `POST /stories/:id/move` with `articles` (one id) and `into` (a story id). */
function move(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const id = c.req.param("id")!;
    if (!ID.test(body.articles ?? "") || !ID.test((body.into ?? "").trim())) {
      return failurePage(c, ctx, { status: 422, message: "Which article, into which story #?" });
    }
    const into = Number(body.into.trim());
    const r = await shared.forward<{ intoStory: number }>(c, {
      session,
      path: `/v1/stories/${id}/move`,
      body: { articles: [Number(body.articles)], into },
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/stories/${into}?done=moved`, 303);
  };
}

/** `POST /stories/:id/split` with the ticked articles (`a<id>` fields). */
function split(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const id = c.req.param("id")!;
    const articles = Object.keys(body).filter((k) => /^a[0-9]{1,15}$/.test(k))
      .slice(0, MAX_TICKED).map((k) => Number(k.slice(1)));
    if (articles.length === 0) {
      return failurePage(c, ctx, { status: 422, message: "Tick the articles to split off." });
    }
    const r = await shared.forward<{ intoStory: number }>(c, {
      session,
      path: `/v1/stories/${id}/split`,
      body: { articles },
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/stories/${r.data.intoStory}?done=split`, 303);
  };
}

/** `POST /stories/:id/merge` with `from`, the story merged into this one. */
function merge(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const id = c.req.param("id")!;
    if (!ID.test((body.from ?? "").trim())) {
      return failurePage(c, ctx, { status: 422, message: "Which story # should be merged?" });
    }
    const r = await shared.forward(c, {
      session,
      path: `/v1/stories/${id}/merge`,
      body: { from: Number(body.from.trim()) },
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/stories/${id}?done=merged`, 303);
  };
}
