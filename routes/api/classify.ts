/** `POST /v1/classify`: topic predictions for one text or up to 256, from the served model. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, text } from "./schemas.ts";

/** Longest text accepted, in characters; the model reads at most its first 512 tokens. */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_TEXTS = 256;

const ClassifyText = text(1, MAX_TEXT_CHARS).openapi({
  example: "Stocks rallied on Wall Street after the Fed held rates.",
});

const ClassifyBody = z.union([
  z.object({ text: ClassifyText }).strict(),
  z.object({ texts: z.array(ClassifyText).min(1).max(MAX_TEXTS) }).strict(),
]).openapi("ClassifyBody");

const PredictionSchema = z.object({
  label: z.string(),
  score: z.number().openapi({ description: "Probability of `label`" }),
  scores: z.record(z.string(), z.number()).openapi({ description: "Probability of every label" }),
}).openapi("Prediction");

const ClassifyResult = z.object({
  model: z.object({ name: z.string(), version: z.string() }),
  predictions: z.array(PredictionSchema),
}).openapi("ClassifyResult");

const classifyRoute = createRoute({
  method: "post",
  path: "/classify",
  summary: "Classify texts into topics",
  description: `One prediction per text, in order. Texts must be non-blank and at most ` +
    `${MAX_TEXT_CHARS} characters (longer ones are refused with 422, not truncated); ` +
    `the model itself reads each text's first 512 tokens.`,
  security: [{ ApiKey: [] }],
  request: { body: { content: { "application/json": { schema: ClassifyBody } }, required: true } },
  responses: {
    200: {
      description: "Predictions",
      content: { "application/json": { schema: ClassifyResult } },
    },
    ...errorResponses,
  },
});

export function classifyApi({ models, metrics }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    classifyRoute,
    async (c) => {
      const body = c.req.valid("json");
      if (!models?.current()) {
        throw new AppError(503, "modelUnavailable", "No model is loaded yet; retry shortly.");
      }
      const texts = "texts" in body ? body.texts : [body.text];
      const { model, predictions } = await models.classify(texts);
      metrics.observePredictions("classify", model.version, predictions);
      return c.json({ model: { name: model.name, version: model.version }, predictions }, 200);
    },
  );
}
