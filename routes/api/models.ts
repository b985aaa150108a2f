/**
 * `/v1/models`: the registry, promotion and rollback (admin keys only), each taxonomy
 * (`topic`, `section`, …) with its own active model. Importing a model is the
 * `newsintel models import` command's, for the local operator.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  activateModel,
  activationHistory,
  DEFAULT_TAXONOMY,
  getModel,
  listModels,
  previousModelVersion,
  TAXONOMY_NAME,
} from "../../db/models.ts";
import { checkTaxonomy } from "../../services/taxonomies.ts";
import { AppError } from "../../lib/errors.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { adminOnly } from "../middleware.ts";
import { orRefuse } from "../refusals.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema } from "./schemas.ts";

const ModelSchema = z.object({
  version: z.string(),
  name: z.string(),
  taxonomy: z.string().openapi({ description: "The taxonomy it serves (topic, section, …)" }),
  labels: z.array(z.string()),
  origin: z.enum(["trained", "imported", "hub", "local"]),
  location: z.string(),
  createdAt: z.string(),
  active: z.boolean().openapi({ description: "The active model of its taxonomy" }),
  serving: z.boolean().openapi({ description: "Loaded by the replica that answered" }),
  manifest: z.record(z.string(), z.unknown()).nullable(),
}).openapi("Model");

const ActivationSchema = z.object({
  version: z.string(),
  taxonomy: z.string(),
  action: z.enum(["promote", "rollback", "bootstrap"]),
  actor: z.string().nullable(),
  activatedAt: z.string(),
}).openapi("Activation");

const json = <T>(schema: T) => ({ "application/json": { schema } });
const notFound = { description: "No such model", content: json(ErrorSchema) };
const Version = z.object({ version: z.string().min(1).max(200) });

const listRoute = createRoute({
  method: "get",
  path: "/models",
  summary:
    "Registered models (newest first), each taxonomy's active one, and the activation history",
  responses: {
    200: {
      description: "Models",
      content: json(z.object({
        items: z.array(ModelSchema),
        active: z.record(z.string(), z.string()).openapi({
          description: "Each taxonomy's active model version",
        }),
        history: z.array(ActivationSchema),
      })),
    },
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/models/{version}",
  summary: "One model with its manifest (metrics, hyperparameters, training data)",
  request: { params: Version },
  responses: { 200: { description: "Model", content: json(ModelSchema) }, 404: notFound },
});

const promoteRoute = createRoute({
  method: "post",
  path: "/models/{version}/promote",
  summary: "Make a model the active one of its taxonomy; every replica serves it within " +
    "seconds; other taxonomies' models stay (admin key)",
  security: [{ ApiKey: [] }],
  request: { params: Version },
  responses: {
    200: { description: "Now active", content: json(ModelSchema) },
    403: { description: "Not an admin key", content: json(ErrorSchema) },
    404: notFound,
    ...errorResponses,
  },
});

const rollbackRoute = createRoute({
  method: "post",
  path: "/models/rollback",
  summary: "Re-activate the model of a taxonomy that was active before its current one " +
    "(admin key)",
  security: [{ ApiKey: [] }],
  request: {
    query: z.object({
      taxonomy: z.string().regex(TAXONOMY_NAME).default(DEFAULT_TAXONOMY).openapi({
        description: "The taxonomy rolled back (topic by default); the others stay",
      }),
    }),
  },
  responses: {
    200: { description: "Now active", content: json(ModelSchema) },
    403: { description: "Not an admin key", content: json(ErrorSchema) },
    404: { description: "No such taxonomy", content: json(ErrorSchema) },
    409: { description: "Nothing to roll back to", content: json(ErrorSchema) },
    ...errorResponses,
  },
});

export function modelsApi({ db, models }: AppDeps) {
  const view = async (version: string) => {
    const m = await getModel(db, version);
    if (!m) throw new AppError(404, "modelNotFound", `No model ${version}.`);
    return { ...m, serving: models?.current(m.taxonomy)?.version === m.version };
  };
  const activate = async (
    version: string,
    action: "promote" | "rollback",
    actor: string | null,
  ) => {
    await db.transaction((tx) => activateModel(tx, { version, action, actor }));
    await models?.refresh();
    return view(version);
  };
  // Route middleware runs before validation: a reviewer's attempt is refused and
  // audited whatever it sent.
  const promote = adminOnly(db, "promoteModel", {
    what: "Promoting a model",
    target: (c) => c.req.param("version"),
  });
  const rollback = adminOnly(db, "rollbackModel", { what: "Rolling back the model" });
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const serving = new Set(models?.served().map((m) => m.version) ?? []);
      const items = (await listModels(db)).map((m) => ({ ...m, serving: serving.has(m.version) }));
      const active = Object.fromEntries(
        items.filter((m) => m.active).map((m) => [m.taxonomy, m.version]),
      );
      return c.json({ items, active, history: await activationHistory(db) }, 200);
    })
    .openapi(getRoute, async (c) => c.json(await view(c.req.valid("param").version), 200))
    .openapi({ ...promoteRoute, middleware: [promote] }, async (c) => {
      const { version } = c.req.valid("param");
      await view(version);
      return c.json(await activate(version, "promote", c.get("principal") ?? null), 200);
    })
    .openapi({ ...rollbackRoute, middleware: [rollback] }, async (c) => {
      const { taxonomy } = c.req.valid("query");
      orRefuse(await checkTaxonomy(db, taxonomy));
      const previous = await previousModelVersion(db, taxonomy);
      if (!previous) {
        throw new AppError(
          409,
          "nothingToRollBack",
          `No earlier ${taxonomy} model was ever active.`,
        );
      }
      return c.json(await activate(previous, "rollback", c.get("principal") ?? null), 200);
    });
}
