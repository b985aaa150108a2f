/**
 * `GET /v1/trends`: label volume over time (the `topic` taxonomy's, or another's), spikes
 * and rising terms. `?topic=` is the older name of `?label=`, still accepted and marked
 * deprecated in the OpenAPI document.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { TAXONOMY_NAME } from "../../db/models.ts";
import { BUCKETS } from "../../db/trends.ts";
import { MAX_BUCKETS, MAX_YEAR, MIN_YEAR } from "../../lib/bounds.ts";
import { labelTrends } from "../../services/trends.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { orRefuse } from "../refusals.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, text, timestamp } from "./schemas.ts";

/** An ISO 8601 date in the years trends cover; others are refused before any arithmetic. */
const queryDate = (description: string) =>
  timestamp().optional().openapi({ description: `${description} (years ${MIN_YEAR}–${MAX_YEAR})` });

const TrendsQuery = z.object({
  bucket: z.enum(BUCKETS).default("day"),
  from: queryDate("Start (inclusive); default 30 buckets before `to`"),
  to: queryDate("End (exclusive); default just after the newest article"),
  label: text(1, 200).optional().openapi({ description: "Only this label's trend" }),
  topic: text(1, 200).optional().openapi({
    description: "Deprecated: the older name of `label`",
    deprecated: true,
    param: { deprecated: true },
  }),
  source: text(1, 200).optional(),
  taxonomy: z.string().regex(TAXONOMY_NAME).optional().openapi({
    description: "Whose labels are counted: topic (the default) or another taxonomy, e.g. section",
  }),
  terms: z.coerce.number().int().min(0).max(100).default(10).openapi({
    description: "Rising terms per label (0 for none)",
  }),
  recent: z.coerce.number().int().min(1).max(12).default(1).openapi({
    description: "Rising terms are those of the latest this many buckets of the range",
  }),
}).superRefine((q, ctx) => {
  if (q.label !== undefined && q.topic !== undefined && q.label !== q.topic) {
    ctx.addIssue({
      code: "custom",
      path: ["topic"],
      message: "is the older name of `label`; give one of the two",
    });
  }
});

const Point = z.object({
  bucket: z.string(),
  count: z.number(),
  share: z.number(),
  score: z.number(),
  spike: z.boolean(),
});
// The answer keeps its names (`topics`, `topic`): clients read them.
const LabelTrend = z.object({
  topic: z.string(),
  total: z.number(),
  change: z.object({
    current: z.number(),
    previous: z.number(),
    delta: z.number(),
    percent: z.number().nullable(),
    direction: z.enum(["up", "down", "flat"]),
  }),
  series: z.array(Point),
  spikes: z.array(
    z.object({
      bucket: z.string(),
      count: z.number(),
      baseline: z.number().nullable(),
      score: z.number(),
    }),
  ),
  risingTerms: z.array(
    z.object({
      term: z.string(),
      phrase: z.boolean().openapi({ description: "A two-word phrase rather than a word" }),
      count: z.number().openapi({ description: "Occurrences in the latest bucket(s)" }),
      total: z.number().openapi({ description: "All words (phrases) counted then" }),
      baselineCount: z.number().openapi({ description: "Occurrences in the baseline" }),
      baselineTotal: z.number(),
      rate: z.number().openapi({ description: "Per 10,000 words (phrases), now" }),
      baselineRate: z.number().openapi({ description: "Per 10,000 words (phrases), baseline" }),
      g2: z.number().openapi({ description: "Dunning's log-likelihood ratio G², the score" }),
      p: z.union([z.literal(0.001), z.literal(0.01)]).openapi({
        description: "Significance level G² passes: 0.001 (G² ≥ 10.83) or 0.01 (G² ≥ 6.63)",
      }),
      ratio: z.number(),
      explanation: z.string().openapi({ description: "The score with its numbers, in words" }),
    }),
  ),
}).openapi("TopicTrend");

const trendsRoute = createRoute({
  method: "get",
  path: "/trends",
  summary: "Label volume over time, with spikes and rising terms",
  description: `Per label: count and share of the bucket's articles, change against the ` +
    `previous period of equal length, spikes (robust z-score of the bucket, on the Anscombe ` +
    `scale, against the median and MAD of the 7 preceding buckets, all of them after the ` +
    `data began; ≥ 3 with ≥ 5 articles), and rising words and two-word phrases of the ` +
    `latest \`recent\` buckets against the 7 buckets before them (Dunning's G² ≥ 6.63, ` +
    `p < 0.01, each term's \`p\` saying whether it also passes 0.001; ≥ 3 occurrences; ` +
    `weekday names and such calendar words never; a phrase measured against all phrases, a word against all ` +
    `words). Buckets are UTC; weeks start on Monday. At most ${MAX_BUCKETS} buckets.`,
  request: { query: TrendsQuery },
  responses: {
    200: {
      description: "Trends",
      content: {
        "application/json": {
          schema: z.object({
            bucket: z.enum(BUCKETS),
            from: z.string(),
            to: z.string(),
            risingPeriod: z.object({
              baselineFrom: z.string(),
              from: z.string(),
              to: z.string(),
            }).openapi({ description: "Rising terms: [from, to) against [baselineFrom, from)" }),
            dataRange: z.object({ first: z.string(), last: z.string() }).nullable(),
            topics: z.array(LabelTrend),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export function trendsApi({ db }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    trendsRoute,
    async (c) => {
      const { topic, label, ...query } = c.req.valid("query");
      return c.json(orRefuse(await labelTrends(db, { ...query, label: label ?? topic })), 200);
    },
  );
}
