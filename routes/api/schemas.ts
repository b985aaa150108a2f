/** zod schemas shared by the API routes; they also produce the OpenAPI document. */
import { z } from "@hono/zod-openapi";
import { inYearRange, MAX_ARTICLE_CHARS, MAX_YEAR, MIN_YEAR } from "../../lib/bounds.ts";
import { MAX_FEED_DATE_CHARS, parseFeedDate } from "../../lib/feed_date.ts";

/** Text fields reject NUL, which PostgreSQL cannot store, instead of failing later. */
export const text = (min: number, max: number) =>
  z.string().trim().min(min).max(max).refine((s) => !s.includes("\u0000"), {
    message: "must not contain NUL characters",
  });

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "validationFailed" }),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
}).openapi("Error");

export const errorResponses = {
  401: {
    description: "Missing or invalid API key",
    content: { "application/json": { schema: ErrorSchema } },
  },
  413: { description: "Body too large", content: { "application/json": { schema: ErrorSchema } } },
  422: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
  503: {
    description: "Database unavailable",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;

/**
 * An ISO 8601 date with an offset, in the years `MIN_YEAR`–`MAX_YEAR`, handed on in UTC
 * (`toISOString()`): every date a request names goes through here, so none reaches the
 * database outside the range it can store (year 0000, 9999 + a day) or with an offset it
 * refuses (`+23:59`).
 */
export const timestamp = () =>
  z.iso.datetime({ offset: true, abort: true }).refine(inYearRange, {
    message: `must be a date in the years ${MIN_YEAR} to ${MAX_YEAR}`,
  }).transform((s) => new Date(s).toISOString());

/**
 * A publication date as feeds write it (`lib/feed_date.ts`: RFC 3339 with or without a
 * zone, a date alone, RFC 2822), in the years `MIN_YEAR`–`MAX_YEAR`, handed on in UTC.
 */
export const feedTimestamp = () =>
  z.string().max(MAX_FEED_DATE_CHARS).transform((s, ctx) => {
    const iso = parseFeedDate(s);
    if (iso === null) {
      ctx.addIssue({
        code: "custom",
        message: "must be an RFC 3339 date-time (zone optional, UTC when absent), " +
          "a date (YYYY-MM-DD) or an RFC 2822 date",
      });
      return z.NEVER;
    }
    if (!inYearRange(iso)) {
      ctx.addIssue({
        code: "custom",
        message: `must be a date in the years ${MIN_YEAR} to ${MAX_YEAR}`,
      });
      return z.NEVER;
    }
    return iso;
  });

export const ArticleInputSchema = z.object({
  externalId: text(1, 200).optional().openapi({
    description: "Your id for the article; the same id is never stored twice.",
    example: "reuters-2024-0001",
  }),
  url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  title: text(1, 1_000).openapi({ example: "Stocks rally as inflation cools" }),
  body: text(0, MAX_ARTICLE_CHARS).default("").openapi({ description: "Article text (plain)." }),
  source: text(1, 200).optional().openapi({ example: "reuters" }),
  section: text(1, 200).optional().openapi({
    description: "The source's own section (answered as `category`).",
  }),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$/).optional().openapi({
    example: "en",
  }),
  // Bounded like trend queries: a date in year 9999 would push every default trend range
  // past what the database can parse.
  publishedAt: feedTimestamp().optional().openapi({
    description: "RFC 3339 (a date-time without a zone is UTC), a date alone (YYYY-MM-DD) " +
      `or RFC 2822 (an RSS pubDate), in the years ${MIN_YEAR}–${MAX_YEAR}; stored and ` +
      "returned in UTC; the ingestion time when absent.",
    example: "2017-03-27T09:30:00+02:00",
  }),
  category: text(1, 200).optional().openapi({
    description: "Deprecated: the older name of `section`.",
    deprecated: true,
  }),
}).strict().superRefine((a, ctx) => {
  if (a.section !== undefined && a.category !== undefined && a.section !== a.category) {
    ctx.addIssue({
      code: "custom",
      path: ["category"],
      message: "is the older name of `section`; give one of the two",
    });
  }
}).openapi("ArticleInput");

export const MAX_BATCH = 500;

export const IngestBodySchema = z.union([
  ArticleInputSchema,
  z.object({ articles: z.array(ArticleInputSchema).min(1).max(MAX_BATCH) }).strict(),
]).openapi("IngestBody");

export const IngestResultSchema = z.object({
  created: z.number().int(),
  duplicates: z.number().int(),
  items: z.array(z.object({
    index: z.number().int(),
    id: z.number().int(),
    status: z.enum(["created", "duplicate"]),
  })),
}).openapi("IngestResult");

export const ArticleSchema = z.object({
  id: z.number().int(),
  externalId: z.string().nullable(),
  url: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  source: z.string().nullable(),
  category: z.string().nullable(),
  language: z.string().nullable(),
  publishedAt: z.string(),
  ingestedAt: z.string(),
  contentHash: z.string(),
  topic: z.string().nullable().openapi({
    description: "The label reviewers settled on, once they have; else the predicted topic",
  }),
  topicScore: z.number().nullable().openapi({
    description: "The model's probability of `topic`; null for a reviewed topic",
  }),
  predictedTopic: z.string().nullable().openapi({
    description: "The prediction of the model active at ingestion",
  }),
  topicReviewed: z.boolean(),
  summary: z.string().nullable(),
  summaryMethod: z.string().nullable(),
  languageConfidence: z.number().nullable(),
  story: z.number().int().nullable().openapi({
    description: "The story it was grouped into (`GET /v1/stories/{id}`)",
  }),
}).openapi("Article");
