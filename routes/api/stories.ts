/** `GET /v1/stories` and `/v1/stories/{id}`: articles grouped as one event, largest first. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getStory, listStories } from "../../db/stories.ts";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, timestamp } from "./schemas.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });

/** Articles of one story returned at most. */
export const MAX_STORY_ARTICLES = 200;
/** The default period: the 30 days before `to`. */
const DEFAULT_DAYS = 30;

const StorySummary = z.object({
  id: z.number().int(),
  title: z.string().openapi({ description: "Its first article's title" }),
  articles: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  sources: z.array(z.string()).openapi({ description: "Distinct sources (at most 20)" }),
}).openapi("StorySummary");

const StoryArticle = z.object({
  id: z.number().int(),
  title: z.string(),
  source: z.string().nullable(),
  url: z.string().nullable(),
  publishedAt: z.string(),
});

const ListQuery = z.object({
  from: timestamp().optional().openapi({
    description: "Stories last seen at or after this (default 30 days before `to`)",
  }),
  to: timestamp().optional().openapi({
    description: "Stories last seen before this (default now)",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  minArticles: z.coerce.number().int().min(1).max(1000).default(2).openapi({
    description: "Leave out stories with fewer articles (1 lists single articles too)",
  }),
});

const listRoute = createRoute({
  method: "get",
  path: "/stories",
  summary: "The largest stories of a period",
  description: "Articles are grouped at ingestion as near duplicates or reports of the same " +
    "event: MinHash of the title and lead, LSH band keys for candidates, estimated Jaccard " +
    "≥ 0.5 with an article at most 3 days apart. Largest first, then latest.",
  security: [{ ApiKey: [] }],
  request: { query: ListQuery },
  responses: {
    200: {
      description: "Stories",
      content: json(z.object({ from: z.string(), to: z.string(), items: z.array(StorySummary) })),
    },
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/stories/{id}",
  summary: "One story and its articles",
  security: [{ ApiKey: [] }],
  request: { params: z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) }) },
  responses: {
    200: {
      description: `The story, with its first ${MAX_STORY_ARTICLES} articles by publication time`,
      content: json(StorySummary.extend({ items: z.array(StoryArticle) })),
    },
    404: {
      description: "No such story",
      content: json(errorResponses[422].content["application/json"].schema),
    },
    ...errorResponses,
  },
});

export function storiesApi({ db }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const { from, to, limit, minArticles } = c.req.valid("query");
      const end = to ? new Date(to) : new Date();
      const start = from ? new Date(from) : new Date(end.getTime() - DEFAULT_DAYS * 86_400_000);
      if (!(start < end)) throw new AppError(422, "invalidRange", "`from` must be before `to`.");
      const range = { from: start.toISOString(), to: end.toISOString() };
      const items = await listStories(db, { ...range, limit, minArticles });
      return c.json({ ...range, items }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid("param");
      const story = await getStory(db, id, MAX_STORY_ARTICLES);
      if (!story) throw new AppError(404, "storyNotFound", `No story ${id}.`);
      return c.json(story, 200);
    });
}
