/**
 * `/v1/models/retrain` and `/v1/models/retrains`: start a retrain of the served model from
 * reviewed labels (admin keys only; it runs in the background) and read every retrain's
 * record. Mounted before `/v1/models/{version}`, which would otherwise take `retrains`
 * for a version.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listRetrains } from "../../db/retrains.ts";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { adminOnly } from "../middleware.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema } from "./schemas.ts";

const RetrainSchema = z.object({
  id: z.number().int(),
  trigger: z.enum(["console", "api", "labels", "cli"]),
  actor: z.string().nullable(),
  status: z.enum(["running", "promoted", "shadowed", "failed"]),
  activeVersion: z.string().nullable().openapi({ description: "The model it was compared with" }),
  candidateVersion: z.string().nullable(),
  trainingRunId: z.number().int().nullable(),
  activeScore: z.number().nullable().openapi({ description: "Macro-F1 on the evaluation set" }),
  candidateScore: z.number().nullable(),
  evalSize: z.number().int().nullable(),
  trainSize: z.number().int().nullable(),
  fixedActiveScore: z.number().nullable().openapi({
    description: "Macro-F1 on the fixed evaluation file alone",
  }),
  fixedCandidateScore: z.number().nullable(),
  fixedEvalSize: z.number().int().nullable().openapi({
    description: "Evaluation examples from the fixed evaluation file",
  }),
  agreedEvalSize: z.number().int().nullable().openapi({
    description: "Evaluation examples from reviewed labels two reviewers agreed on",
  }),
  reason: z.string().nullable().openapi({ description: "Why it was promoted, or not" }),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
}).openapi("Retrain");

const json = <T>(schema: T) => ({ "application/json": { schema } });

const startRoute = createRoute({
  method: "post",
  path: "/models/retrain",
  summary: "Retrain the model on the bundled data and reviewed labels, in the background " +
    "(admin key); promoted only if better by RETRAIN_MARGIN on the evaluation set and not " +
    "worse on the fixed evaluation file, else the shadow model",
  security: [{ ApiKey: [] }],
  responses: {
    202: { description: "Started", content: json(z.object({ retrain: RetrainSchema })) },
    403: { description: "Not an admin key", content: json(ErrorSchema) },
    409: { description: "A retrain is running", content: json(ErrorSchema) },
    ...errorResponses,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/models/retrains",
  summary: "Retrains, newest first",
  request: {
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
  },
  responses: {
    200: { description: "Retrains", content: json(z.object({ items: z.array(RetrainSchema) })) },
    ...errorResponses,
  },
});

export function retrainsApi({ db, retrain }: AppDeps) {
  const guard = adminOnly(db, "retrainModel", { what: "Retraining the model" });
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi({ ...startRoute, middleware: [guard] }, async (c) => {
      if (!retrain) {
        throw new AppError(503, "retrainUnavailable", "This server cannot retrain models.");
      }
      // The console's forms reach the API with the session cookie, never with a key.
      const trigger = c.req.header("x-api-key") ? "api" : "console";
      const outcome = await retrain.start(trigger, c.get("principal") ?? null);
      if (outcome.kind === "conflict") {
        throw new AppError(
          409,
          "retrainRunning",
          `Retrain ${outcome.running.id} is running (started ${outcome.running.startedAt}).`,
        );
      }
      return c.json({ retrain: outcome.retrain }, 202);
    })
    .openapi(listRoute, async (c) => {
      const { limit } = c.req.valid("query");
      return c.json({ items: await listRetrains(db, limit) }, 200);
    });
}
