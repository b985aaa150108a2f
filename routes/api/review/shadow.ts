/** `/review/shadow`: which candidate model runs beside the active one, and how often they agree. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getModel } from "../../../db/models.ts";
import { setShadowModel, shadowAgreement, shadowModelVersion } from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../../env.ts";
import { adminOnly } from "../../middleware.ts";
import { validationHook } from "../../validation.ts";
import { errorResponses, ErrorSchema, text } from "../schemas.ts";
import { reviewerOf } from "./request.ts";
import { json, secured } from "./schemas.ts";

const ShadowStatus = z.object({
  version: z.string().nullable().openapi({ description: "The shadow model; null when off" }),
  agreement: z.array(z.object({
    shadowVersion: z.string(),
    activeVersion: z.string(),
    compared: z.number().int(),
    agreeing: z.number().int(),
    rate: z.number().nullable(),
    disagreements: z.array(
      z.object({ activeLabel: z.string(), shadowLabel: z.string(), count: z.number().int() }),
    ),
    since: z.string().nullable(),
  })),
}).openapi("ShadowStatus");

const shadowGetRoute = createRoute({
  method: "get",
  path: "/review/shadow",
  summary: "The shadow model and its agreement with the active model on live traffic",
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    ...errorResponses,
  },
});

const shadowPutRoute = createRoute({
  method: "put",
  path: "/review/shadow",
  summary: "Run a registered model in shadow beside the active one",
  security: secured,
  request: {
    body: { content: json(z.object({ version: text(1, 200) }).strict()), required: true },
  },
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    404: { description: "No such model", content: json(ErrorSchema) },
    ...errorResponses,
  },
});

const shadowDeleteRoute = createRoute({
  method: "delete",
  path: "/review/shadow",
  summary: "Stop shadow mode",
  security: secured,
  responses: {
    200: { description: "Shadow mode", content: json(ShadowStatus) },
    ...errorResponses,
  },
});

/** `/review/shadow`: read, start and stop shadow mode. */
/** Shadow mode changes which predictions reach every reviewer's queue: an admin action. */
const shadowTarget = { what: "Setting the shadow model" };

export function shadowApi(deps: AppDeps) {
  const { db } = deps;
  const shadowStatus = async () => {
    const version = await shadowModelVersion(db);
    return { version, agreement: await shadowAgreement(db) };
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(shadowGetRoute, async (c) => c.json(await shadowStatus(), 200))
    .openapi(
      { ...shadowPutRoute, middleware: [adminOnly(db, "setShadow", shadowTarget)] },
      async (c) => {
        const { version } = c.req.valid("json");
        if (!await getModel(db, version)) {
          throw new AppError(404, "modelNotFound", `No model ${version}.`);
        }
        await setShadowModel(db, version, reviewerOf(c));
        await deps.models?.refresh(); // this replica loads it now; the others within seconds
        return c.json(await shadowStatus(), 200);
      },
    )
    .openapi(
      { ...shadowDeleteRoute, middleware: [adminOnly(db, "stopShadow", shadowTarget)] },
      async (c) => {
        await setShadowModel(db, null, reviewerOf(c));
        await deps.models?.refresh();
        return c.json(await shadowStatus(), 200);
      },
    );
}
