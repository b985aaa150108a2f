/**
 * `GET /v1/stories` and `/v1/stories/{id}`: articles grouped as reports of one event, with a
 * headline, a summary over several outlets, sources, span and growth.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors.ts";
import { listStoryViews, storyDetail, storyPeriod } from "../../services/story_views.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { cursorId, cursorNumber, cursorShape, decodeCursor, encodeCursor } from "./cursor.ts";
import { errorResponses, ErrorSchema, text, timestamp } from "./schemas.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });

/** Articles of one story returned at most. */
export const MAX_STORY_ARTICLES = 500;
/** The default period: the 30 days before `to`. */
const DEFAULT_DAYS = 30;
/** The longest period a listing may cover. */
export const MAX_PERIOD_DAYS = 366;
const DAY = 86_400_000;

const SORTS = ["recent", "size", "growth"] as const;
const CURSORS = {
  recent: cursorShape("sr", cursorNumber, cursorId),
  size: cursorShape("ss", cursorNumber, cursorId),
  growth: cursorShape("sg", cursorNumber, cursorId),
};

export const StoryViewSchema = z.object({
  id: z.number().int(),
  headline: z.string().openapi({ description: "The title of its most central article" }),
  summary: z.string().openapi({
    description: "Extractive summary over several of its articles (near copies left out)",
  }),
  topic: z.string().nullable(),
  articles: z.number().int(),
  sourceCount: z.number().int(),
  sources: z.array(z.string()).openapi({ description: "Distinct sources (at most 20)" }),
  firstSeen: z.string(),
  lastSeen: z.string(),
  growth: z.object({
    recent: z.number().int().openapi({ description: "Articles in the last window" }),
    previous: z.number().int().openapi({ description: "Articles in the window before" }),
    change: z.number().int().openapi({ description: "recent − previous" }),
  }),
}).openapi("Story");

const StoryArticle = z.object({
  id: z.number().int(),
  title: z.string(),
  source: z.string().nullable(),
  url: z.string().nullable(),
  publishedAt: z.string(),
  duplicateOf: z.number().int().nullable().openapi({
    description: "The earlier article this one nearly copies",
  }),
  pinned: z.boolean().openapi({ description: "Put in this story by a reviewer" }),
});

const ListQuery = z.object({
  from: timestamp().optional().openapi({
    description: "Stories active at or after this (default 30 days before `to`)",
  }),
  to: timestamp().optional().openapi({
    description: "Stories active before this (default just after the latest article)",
  }),
  sort: z.enum(SORTS).default("recent").openapi({
    description: "growth (articles in the last window against the one before; only stories " +
      "with articles in those windows), recent (last seen) or size",
  }),
  window: z.coerce.number().int().min(1).max(168).default(24).openapi({
    description: "Growth window in hours",
  }),
  topic: text(1, 100).optional(),
  source: text(1, 200).optional().openapi({ description: "Stories with an article from it" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  minArticles: z.coerce.number().int().min(1).max(1000).default(2).openapi({
    description: "Leave out stories with fewer articles (1 lists single articles too)",
  }),
  cursor: z.string().max(200).optional(),
});

const listRoute = createRoute({
  method: "get",
  path: "/stories",
  summary: "Stories of a period, developing ones first",
  description: "Articles are grouped at ingestion by event: weighted words, names and " +
    "numbers against each candidate story's profile, within a time gap that grows with the " +
    "story's life; near copies are marked (`duplicateOf`).",
  security: [{ ApiKey: [] }],
  request: { query: ListQuery },
  responses: {
    200: {
      description: "Stories",
      content: json(z.object({
        from: z.string(),
        to: z.string(),
        items: z.array(StoryViewSchema),
        next: z.string().nullable(),
      })),
    },
    ...errorResponses,
  },
});

export const StoryId = z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) });

const getRoute = createRoute({
  method: "get",
  path: "/stories/{id}",
  summary: "One story: its articles in time order, near copies, articles per day",
  security: [{ ApiKey: [] }],
  request: { params: StoryId },
  responses: {
    200: {
      description: `The story, with its first ${MAX_STORY_ARTICLES} articles by time`,
      content: json(StoryViewSchema.extend({
        items: z.array(StoryArticle),
        copies: z.array(z.object({ of: z.number().int(), articles: z.array(z.number().int()) })),
        days: z.array(z.object({ day: z.string(), articles: z.number().int() })),
      })),
    },
    404: { description: "No such story", content: json(ErrorSchema) },
    ...errorResponses,
  },
});

export function storiesApi({ db }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const q = c.req.valid("query");
      const shape = CURSORS[q.sort];
      const after = q.cursor ? decodeCursor(q.cursor, shape) : null;
      const period = await storyPeriod(db, { ...q, defaultPeriodMs: DEFAULT_DAYS * DAY });
      if (!(period.from < period.to)) {
        throw new AppError(422, "invalidRange", "`from` must be before `to`.");
      }
      if (Date.parse(period.to) - Date.parse(period.from) > MAX_PERIOD_DAYS * DAY) {
        throw new AppError(422, "periodTooLong", `A period is at most ${MAX_PERIOD_DAYS} days.`);
      }
      const page = await listStoryViews(db, {
        ...q,
        ...period,
        windowMs: q.window * 3_600_000,
        defaultPeriodMs: DEFAULT_DAYS * DAY,
        after: after && { key: after[0], id: after[1] },
      });
      return c.json({
        from: page.from,
        to: page.to,
        items: page.items,
        next: page.next && encodeCursor(shape, [page.next.key, page.next.id]),
      }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid("param");
      const story = await storyDetail(db, id, MAX_STORY_ARTICLES);
      if (!story) throw new AppError(404, "storyNotFound", `No story ${id}.`);
      return c.json(story, 200);
    });
}
