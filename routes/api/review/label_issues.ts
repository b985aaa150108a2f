/**
 * `POST /review/label-issues`: rank the stored given labels (kept by `seed`) and queue the
 * suspected errors for review. It changes every reviewer's queue, so it needs an admin key;
 * one run at a time per process (the ranking cross-fits in worker threads, so the server
 * keeps answering meanwhile).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../../lib/errors.ts";
import { DEFAULT_ISSUE_REPEATS, queueLabelIssues } from "../../../services/label_issues.ts";
import { vectorProvider } from "../../../ml/word_vectors.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { adminOnly } from "../../middleware.ts";
import { validationHook } from "../../validation.ts";
import { errorResponses, ErrorSchema } from "../schemas.ts";
import { reviewerOf } from "./request.ts";
import { json, secured } from "./schemas.ts";

const LabelIssuesRequest = z.object({
  maxIssues: z.number().int().min(1).max(10_000).default(200).openapi({
    description: "Queue at most this many, most likely wrong first",
  }),
  folds: z.number().int().min(2).max(10).default(5),
  repeats: z.number().int().min(1).max(5).default(DEFAULT_ISSUE_REPEATS).openapi({
    description: "Cross-fittings: the first on the given labels, each later one on the labels " +
      "the one before corrects; the ranking averages the later ones",
  }),
  seed: z.number().int().min(0).max(2 ** 31).default(1),
}).strict().openapi("LabelIssuesRequest");

const LabelIssuesResult = z.object({
  ranked: z.number().int().openapi({ description: "Labelled articles ranked" }),
  flagged: z.number().int().openapi({ description: "Of those, probably mislabelled" }),
  queued: z.array(z.number().int()).openapi({ description: "Ids of the items queued" }),
  attached: z.array(z.number().int()).openapi({
    description: "Open items (queued for another reason) the suggestion was added to",
  }),
  alreadyQueued: z.number().int().openapi({ description: "Queued as label issues before" }),
  outsideModel: z.number().int().openapi({
    description: "Flagged, but a label is outside the active model's",
  }),
  modelVersion: z.string(),
  vectors: z.boolean().openapi({
    description: "Whether the cross-fitted models had pretrained word vectors (as the active " +
      "model was trained with them, and the vectors package could be read)",
  }),
}).openapi("LabelIssuesResult");

const labelIssuesRoute = createRoute({
  method: "post",
  path: "/review/label-issues",
  summary: "Queue stored labels that look wrong for review (admin)",
  description: "Ranks the labels seeded data came with by confident learning on cross-fitted " +
    "probabilities and queues the suspected errors (reason label_issue) with the suggestion " +
    "beside the given label. Idempotent: an article queued as a label issue is not queued again.",
  security: secured,
  request: { body: { content: json(LabelIssuesRequest), required: false } },
  responses: {
    200: { description: "What was ranked and queued", content: json(LabelIssuesResult) },
    409: {
      description: "No active model, too few labelled articles, or a run already going",
      content: json(ErrorSchema),
    },
    ...errorResponses,
  },
});

/** `POST /review/label-issues`. */
export function labelIssuesApi(deps: AppDeps) {
  const { db, config } = deps;
  let running = false;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    {
      ...labelIssuesRoute,
      middleware: [adminOnly(db, "queueLabelIssues", { what: "Queueing label issues" })],
    },
    async (c) => {
      // An empty or absent body takes every default.
      const body = LabelIssuesRequest.parse(c.req.valid("json") ?? {});
      if (running) {
        throw new AppError(409, "labelIssuesRunning", "A label-issue ranking is already running.");
      }
      running = true;
      try {
        const r = await queueLabelIssues(db, {
          ...body,
          actor: reviewerOf(c),
          requiredLabels: config.reviewOverlap,
          vectors: vectorProvider(config.wordVectorsFile),
        });
        if (r.kind === "noActiveModel") {
          throw new AppError(
            409,
            "noActiveModel",
            "Reviewers choose from the active model's labels: promote a model first.",
          );
        }
        if (r.kind === "tooFewLabelled") {
          throw new AppError(
            409,
            "tooFewLabelled",
            `${r.labelled} stored articles carry a given label; cross-fitting needs ${r.needed}.`,
          );
        }
        const { kind: _, ...result } = r;
        return c.json(result, 200);
      } finally {
        running = false;
      }
    },
  );
}
