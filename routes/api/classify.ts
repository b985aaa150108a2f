/**
 * `POST /v1/classify`: predictions for one text or up to 256 (or articles by title and body),
 * from the served model of a taxonomy (`?taxonomy=section`; `topic` by default). `?model=` is
 * the older name of `?taxonomy=`, still accepted and marked deprecated in the OpenAPI document.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { DEFAULT_TAXONOMY, TAXONOMY_NAME } from "../../db/models.ts";
import { AppError } from "../../lib/errors.ts";
import { listTaxonomies } from "../../services/taxonomies.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema, text } from "./schemas.ts";

/** Longest text accepted, in characters; the model reads at most its first 512 tokens. */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_TEXTS = 256;

const ClassifyText = text(1, MAX_TEXT_CHARS).openapi({
  example: "Stocks rallied on Wall Street after the Fed held rates.",
});

/** An article by its parts: each model sees it as ingestion shows it (ml/article_text.ts). */
const ClassifyArticle = z.object({
  title: text(1, 1_000).openapi({ example: "Stocks rally as inflation cools" }),
  body: text(0, MAX_TEXT_CHARS).default(""),
}).strict().openapi("ClassifyArticle");

const ClassifyBody = z.union([
  z.object({ text: ClassifyText }).strict(),
  z.object({ texts: z.array(ClassifyText).min(1).max(MAX_TEXTS) }).strict(),
  z.object({ articles: z.array(ClassifyArticle).min(1).max(MAX_TEXTS) }).strict(),
]).openapi("ClassifyBody");

const PredictionSchema = z.object({
  label: z.string(),
  score: z.number().openapi({ description: "Probability of `label`" }),
  scores: z.record(z.string(), z.number()).openapi({ description: "Probability of every label" }),
}).openapi("Prediction");

const TaxonomyName = z.string().regex(TAXONOMY_NAME).optional();

const ClassifyQuery = z.object({
  taxonomy: TaxonomyName.openapi({
    description: "The taxonomy whose model classifies (e.g. section); `topic` by default",
  }),
  model: TaxonomyName.openapi({
    description: "Deprecated: the older name of `taxonomy`; give one of the two",
    deprecated: true,
    param: { deprecated: true },
  }),
});

const ClassifyResult = z.object({
  taxonomy: z.string().openapi({ description: "The taxonomy the labels belong to" }),
  model: z.object({ name: z.string(), version: z.string() }),
  predictions: z.array(PredictionSchema),
}).openapi("ClassifyResult");

const classifyRoute = createRoute({
  method: "post",
  path: "/classify",
  summary: "Classify texts into topics",
  description: `One prediction per text, in order. Texts must be non-blank and at most ` +
    `${MAX_TEXT_CHARS} characters (longer ones are refused with 422, not truncated); ` +
    `the model itself reads each text's first 512 tokens. \`articles\` (a title and a ` +
    `body each) are classified as \`POST /v1/articles\` classifies them: the model sees ` +
    `the headline in the shape of its training texts (twice, for models trained now).`,
  security: [{ ApiKey: [] }],
  request: {
    query: ClassifyQuery,
    body: { content: { "application/json": { schema: ClassifyBody } }, required: true },
  },
  responses: {
    200: {
      description: "Predictions",
      content: { "application/json": { schema: ClassifyResult } },
    },
    404: {
      description: "No model serves that taxonomy (`unknownTaxonomy`)",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errorResponses,
  },
});

export function classifyApi({ db, models, metrics }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    classifyRoute,
    async (c) => {
      const body = c.req.valid("json");
      const query = c.req.valid("query");
      if (query.model && query.taxonomy && query.model !== query.taxonomy) {
        throw new AppError(
          422,
          "conflictingTaxonomy",
          "`model` and `taxonomy` name the same thing; give one of them.",
        );
      }
      const taxonomy = query.model ?? query.taxonomy ?? DEFAULT_TAXONOMY;
      if (!models?.current(taxonomy)) {
        if (taxonomy !== DEFAULT_TAXONOMY && !(await listTaxonomies(db)).includes(taxonomy)) {
          const served = models?.served().map((m) => m.taxonomy ?? DEFAULT_TAXONOMY) ?? [];
          throw new AppError(
            404,
            "unknownTaxonomy",
            `No model serves the taxonomy ${JSON.stringify(taxonomy)}; served: ${
              served.join(", ") || "none yet"
            }.`,
          );
        }
        throw new AppError(
          503,
          "modelUnavailable",
          `No ${taxonomy} model is loaded yet; retry shortly.`,
        );
      }
      const inputs = "texts" in body
        ? body.texts
        : "articles" in body
        ? body.articles
        : [body.text];
      const { model, predictions } = await models.classify(inputs, { taxonomy });
      metrics.observePredictions("classify", model.version, predictions);
      return c.json(
        { taxonomy, model: { name: model.name, version: model.version }, predictions },
        200,
      );
    },
  );
}
