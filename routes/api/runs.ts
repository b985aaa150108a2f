/**
 * `/v1/runs`: the recorded training runs — newest first, one in full, and two
 * compared side by side (the comparison `newsintel runs compare` prints). Reads;
 * any key.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getRun, listRuns } from "../../db/training_runs.ts";
import { AppError } from "../../lib/errors.ts";
import { compareRuns, summarizeRun } from "../../services/training_runs.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema } from "./schemas.ts";

const Status = z.enum(["running", "succeeded", "failed"]);

const RunSummarySchema = z.object({
  id: z.number().int(),
  status: Status,
  startedAt: z.string(),
  durationMs: z.number().nullable(),
  name: z.string().nullable(),
  dataSize: z.number().nullable(),
  accuracy: z.number().nullable().openapi({ description: "Out-of-fold accuracy" }),
  macroF1: z.number().nullable(),
  modelVersion: z.string().nullable(),
  error: z.string().nullable(),
}).openapi("TrainingRunSummary");

const RunSchema = z.object({
  id: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: Status,
  parameters: z.record(z.string(), z.unknown()),
  data: z.object({ sha256: z.string(), size: z.number() }).nullable(),
  foldMetrics: z.array(z.record(z.string(), z.unknown())).nullable()
    .openapi({ description: "One evaluation report per cross-fitting fold" }),
  metrics: z.record(z.string(), z.unknown()).nullable()
    .openapi({ description: "The out-of-fold report, ECE and NLL before/after calibration" }),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
  modelVersion: z.string().nullable(),
  mlflowRunId: z.string().nullable(),
  mlflowError: z.string().nullable(),
}).openapi("TrainingRun");

const compared = {
  a: z.number().nullable(),
  b: z.number().nullable(),
  diff: z.number().nullable(),
};
const Matrix = z.array(z.array(z.number())).nullable();

const ComparisonSchema = z.object({
  a: RunSummarySchema,
  b: RunSummarySchema,
  metrics: z.array(z.object({ metric: z.string(), ...compared })),
  perClassF1: z.array(z.object({ label: z.string(), ...compared })),
  confusion: z.object({ labels: z.array(z.string()), a: Matrix, b: Matrix, diff: Matrix }),
  parameters: z.array(z.object({ name: z.string(), a: z.unknown(), b: z.unknown() })),
}).openapi("TrainingRunComparison", { description: "Every difference is b − a" });

const json = <T>(schema: T) => ({ "application/json": { schema } });
const notFound = { description: "No such training run", content: json(ErrorSchema) };
const RunId = z.coerce.number().int().min(1).max(2 ** 53);

const listRoute = createRoute({
  method: "get",
  path: "/runs",
  summary: "Training runs, newest first",
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().regex(/^\d{1,16}$/).optional()
        .openapi({ description: "The previous page's nextCursor" }),
    }),
  },
  responses: {
    200: {
      description: "Training runs",
      content: json(z.object({
        items: z.array(RunSummarySchema),
        nextCursor: z.string().nullable(),
      })),
    },
    ...errorResponses,
  },
});

const compareRoute = createRoute({
  method: "get",
  path: "/runs/compare",
  summary: "Two training runs side by side: metrics, per-class F1, confusion, parameters (b − a)",
  request: { query: z.object({ a: RunId, b: RunId }) },
  responses: {
    200: { description: "The comparison", content: json(ComparisonSchema) },
    404: notFound,
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/runs/{id}",
  summary: "One training run: parameters, data, per-fold and out-of-fold metrics, outcome",
  request: { params: z.object({ id: RunId }) },
  responses: {
    200: { description: "The training run", content: json(RunSchema) },
    404: notFound,
    ...errorResponses,
  },
});

export function runsApi({ db }: AppDeps) {
  const mustGet = async (id: number) => {
    const run = await getRun(db, id);
    if (!run) throw new AppError(404, "runNotFound", `No training run ${id}.`);
    return run;
  };
  // `compare` is registered before `{id}`, which would otherwise take it.
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const rows = await listRuns(db, {
        limit: limit + 1,
        beforeId: cursor === undefined ? undefined : Number(cursor),
      });
      const items = rows.slice(0, limit).map(summarizeRun);
      const nextCursor = rows.length > limit ? String(items[items.length - 1].id) : null;
      return c.json({ items, nextCursor }, 200);
    })
    .openapi(compareRoute, async (c) => {
      const { a, b } = c.req.valid("query");
      return c.json(compareRuns(await mustGet(a), await mustGet(b)), 200);
    })
    .openapi(getRoute, async (c) => c.json(await mustGet(c.req.valid("param").id), 200));
}
