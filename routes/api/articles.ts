/**
 * `/v1/articles`: ingest one article or a batch, list with filters and a cursor, fetch one,
 * and the articles similar to one.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { articleExists, countArticles, getArticle, listArticles } from "../../db/articles.ts";
import { AppError } from "../../lib/errors.ts";
import { createIngestQueue } from "../../services/ingest_queue.ts";
import { reviewPolicy } from "../../services/review_routing.ts";
import { MAX_CANDIDATES, similarArticles } from "../../services/similar_articles.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { cursorId, cursorShape, decodeCursor, encodeCursor } from "./cursor.ts";
import {
  ArticleSchema,
  errorResponses,
  IngestBodySchema,
  IngestResultSchema,
  text,
  timestamp,
} from "./schemas.ts";
import { validationHook } from "../validation.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });

const ingestRoute = createRoute({
  method: "post",
  path: "/articles",
  summary: "Store one article or a batch of up to 500",
  description: "Idempotent: an article with the same externalId (or, without one, the same url, " +
    "or else the same title and body) is reported as a duplicate and not stored twice. " +
    "A batch is validated whole first and written in one transaction.",
  security: [{ ApiKey: [] }],
  request: { body: { content: json(IngestBodySchema), required: true } },
  responses: {
    201: { description: "At least one article was stored", content: json(IngestResultSchema) },
    200: { description: "Every article was a duplicate", content: json(IngestResultSchema) },
    ...errorResponses,
  },
});

const ListQuery = z.object({
  source: text(1, 200).optional(),
  language: z.string().max(16).optional(),
  since: timestamp().optional().openapi({
    description: "publishedAt ≥ since",
  }),
  until: timestamp().optional().openapi({
    description: "publishedAt < until",
  }),
  q: text(1, 500).optional().openapi({ description: "Full-text search (web-search syntax)." }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional().openapi({ description: "nextCursor of the previous page" }),
});

const listRoute = createRoute({
  method: "get",
  path: "/articles",
  summary: "List articles, newest first, with keyset pagination",
  request: { query: ListQuery },
  responses: {
    200: {
      description: "A page of articles",
      content: json(z.object({
        items: z.array(ArticleSchema),
        nextCursor: z.string().nullable(),
      })),
    },
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/articles/{id}",
  summary: "Fetch one article",
  request: { params: z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) }) },
  responses: {
    200: { description: "The article", content: json(ArticleSchema) },
    404: {
      description: "No such article",
      content: json(errorResponses[422].content["application/json"].schema),
    },
    ...errorResponses,
  },
});

const SimilarQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(7).openapi({
    description: "Candidates are published within this many days of the article",
  }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

const SimilarArticleSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  source: z.string().nullable(),
  topic: z.string().nullable(),
  publishedAt: z.string(),
  score: z.number().openapi({
    description: "0.8 × cosine of the articles' word-vector means + 0.2 × their shared terms",
  }),
}).openapi("SimilarArticle");

const similarRoute = createRoute({
  method: "get",
  path: "/articles/{id}/similar",
  summary: "The stored articles most similar to one, within a period",
  description: "Nearest by the articles' dense vectors (the normalised weighted mean of their " +
    "word vectors, stored at ingestion by a topic model with word vectors) and shared terms, " +
    `among at most ${MAX_CANDIDATES} candidates published nearest in time within \`days\`. ` +
    "An article stored without a vector has an empty list (`basis: none`).",
  request: {
    params: z.object({ id: z.coerce.number().int().min(1).max(2 ** 53) }),
    query: SimilarQuery,
  },
  responses: {
    200: {
      description: "The most similar articles, best first",
      content: json(z.object({
        basis: z.enum(["vectors", "none"]),
        items: z.array(SimilarArticleSchema),
      })),
    },
    404: {
      description: "No such article",
      content: json(errorResponses[422].content["application/json"].schema),
    },
    ...errorResponses,
  },
});

/** Where a page of articles ended: its last id. */
const ARTICLE_CURSOR = cursorShape("a", cursorId);

export function articlesApi(deps: AppDeps) {
  const { db, metrics, models, text } = deps;
  const review = reviewPolicy(deps.config);
  // Concurrent requests' batches are written together (group commit): see ingest_queue.ts.
  const ingest = createIngestQueue(db, {
    models,
    text,
    metrics,
    review,
    stories: deps.config.storyGrouping,
  });
  metrics.gauge("newsintel_articles_stored", "Articles in the database.", () => countArticles(db));
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(ingestRoute, async (c) => {
      const body = c.req.valid("json");
      // `section` is stored as `category`, the older name it is still accepted under.
      const inputs = ("articles" in body ? body.articles : [body]).map(({ section, ...a }) =>
        section === undefined ? a : { ...a, category: section }
      );
      const outcomes = await ingest.ingest(inputs);
      const created = outcomes.filter((o) => o.status === "created").length;
      return c.json({
        created,
        duplicates: outcomes.length - created,
        items: outcomes.map((o, index) => ({ index, id: o.id, status: o.status })),
      }, created > 0 ? 201 : 200);
    })
    .openapi(listRoute, async (c) => {
      const { cursor, limit, ...filter } = c.req.valid("query");
      if (filter.since && filter.until && Date.parse(filter.since) >= Date.parse(filter.until)) {
        throw new AppError(422, "invalidRange", "`since` must be before `until`.");
      }
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor, ARTICLE_CURSOR)[0];
      const rows = await listArticles(db, { ...filter, beforeId, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit
        ? encodeCursor(ARTICLE_CURSOR, [items[items.length - 1].id])
        : null;
      return c.json({ items, nextCursor }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid("param");
      const article = await getArticle(db, id);
      if (!article) throw new AppError(404, "articleNotFound", `No article ${id}.`);
      return c.json(article, 200);
    })
    .openapi(similarRoute, async (c) => {
      const { id } = c.req.valid("param");
      const { days, limit } = c.req.valid("query");
      const similar = await similarArticles(db, id, { days, limit });
      if (similar) return c.json({ basis: "vectors" as const, items: similar }, 200);
      if (!(await articleExists(db, id))) {
        throw new AppError(404, "articleNotFound", `No article ${id}.`);
      }
      return c.json({ basis: "none" as const, items: [] }, 200);
    });
}
