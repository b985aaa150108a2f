/**
 * What review has produced: figures (counts, agreement, labels since the
 * active model was trained) and the finished reviews as an export.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  EXPORT_FORMATS,
  exportStream,
  newLabelsSinceTraining,
  reviewCounts,
  reviewRatings,
} from "../../../db/review/mod.ts";
import { TAXONOMY_NAME } from "../../../db/models.ts";
import { agreementSummary } from "../../../ml/agreement.ts";
import { checkTaxonomy } from "../../../services/taxonomies.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { validationHook } from "../../validation.ts";
import { orRefuse } from "../../refusals.ts";
import { errorResponses } from "../schemas.ts";
import { json } from "./schemas.ts";

const Agreement = z.object({
  items: z.number().int(),
  percent: z.number().nullable(),
  fleissKappa: z.number().nullable(),
  pairs: z.array(z.object({
    raters: z.tuple([z.string(), z.string()]),
    items: z.number().int(),
    percent: z.number().nullable(),
    kappa: z.number().nullable().openapi({ description: "Cohen's kappa" }),
  })),
});

const ReviewerFigures = z.object({
  reviewer: z.string(),
  decisions: z.number().int(),
  accept: z.number().int(),
  label: z.number().int(),
  skip: z.number().int(),
  flag: z.number().int(),
  bulk: z.number().int(),
  undone: z.number().int(),
  matchingOutcome: z.number().int(),
  onFinished: z.number().int(),
  lastDecisionAt: z.string().nullable(),
  agreementItems: z.number().int(),
  agreementPercent: z.number().nullable().openapi({
    description: "Share of pairings with co-reviewers on the same item that agree",
  }),
});

const statsRoute = createRoute({
  method: "get",
  path: "/review/stats",
  summary: "Counts by status, reason, label and reviewer; agreement; new labels since training",
  description: "Of one taxonomy's items with `?taxonomy=` (the labels since training are " +
    "always one taxonomy's: `topic` by default).",
  request: {
    query: z.object({
      taxonomy: z.string().regex(TAXONOMY_NAME).optional().openapi({
        description: "Only items reviewing this taxonomy's predictions (topic, section, …)",
      }),
    }),
  },
  responses: {
    200: {
      description: "Review statistics",
      content: json(z.object({
        total: z.number().int(),
        byStatus: z.record(z.string(), z.number().int()),
        byReason: z.record(z.string(), z.number().int()),
        byPredictedLabel: z.array(
          z.object({ label: z.string(), total: z.number().int(), open: z.number().int() }),
        ),
        byFinalLabel: z.array(z.object({ label: z.string(), count: z.number().int() })),
        byReviewer: z.array(ReviewerFigures),
        agreement: Agreement,
        learning: z.object({
          activeModel: z.string().nullable(),
          activeModelCreatedAt: z.string().nullable(),
          newReviewedLabels: z.number().int(),
          totalReviewedLabels: z.number().int(),
        }),
      })),
    },
    ...errorResponses,
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/review/export",
  summary: "One taxonomy's finished reviews as JSON Lines or CSV, streamed",
  description: "The latest finished review per article of one taxonomy (`topic` unless " +
    "`?taxonomy=` names another). JSON Lines rows have title, body and label, so the file " +
    "trains a model of that taxonomy as it stands (`newsintel train FILE --name TAXONOMY`).",
  request: {
    query: z.object({
      format: z.enum(EXPORT_FORMATS).default("jsonl"),
      taxonomy: z.string().regex(TAXONOMY_NAME).default("topic").openapi({
        description: "Whose reviews (topic, section, …)",
      }),
    }),
  },
  responses: {
    200: {
      description: "The export",
      content: {
        "application/x-ndjson": { schema: z.string() },
        "text/csv": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

/** `/review/stats` and `/review/export`. */
export function statsApi(deps: AppDeps) {
  const { db } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(statsRoute, async (c) => {
      const { taxonomy } = c.req.valid("query");
      orRefuse(await checkTaxonomy(db, taxonomy));
      const [counts, ratings, learning] = await Promise.all([
        reviewCounts(db, taxonomy),
        reviewRatings(db, taxonomy),
        newLabelsSinceTraining(db, taxonomy),
      ]);
      const { raters, ...agreement } = agreementSummary(ratings);
      const byRater = new Map(raters.map((r) => [r.rater, r]));
      const byReviewer = counts.byReviewer.map((r) => ({
        ...r,
        agreementItems: byRater.get(r.reviewer)?.items ?? 0,
        agreementPercent: byRater.get(r.reviewer)?.percent ?? null,
      }));
      return c.json({ ...counts, byReviewer, agreement, learning }, 200);
    })
    .openapi(exportRoute, async (c) => {
      const { format, taxonomy } = c.req.valid("query");
      orRefuse(await checkTaxonomy(db, taxonomy));
      const stamp = new Date().toISOString().slice(0, 10);
      return c.body(exportStream(db, format, { taxonomy }), 200, {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "content-disposition": `attachment; filename="reviews-${taxonomy}-${stamp}.${format}"`,
        "cache-control": "no-store",
      }) as never;
    });
}
