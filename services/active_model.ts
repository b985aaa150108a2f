/**
 * The model a start makes sure is active: `HF_MODEL` when set, else the baked
 * `BOOTSTRAP_MODEL_DIR` model on a first start, else the default AG News `topic` model,
 * trained from the bundled sample in a process of its own (once, even when several
 * replicas start together). Models `MODEL_DIR` holds that the model store lacks are
 * stored on the way.
 */
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import type { Db } from "../db/mod.ts";
import { activateModel, activeModelVersion, registerModel } from "../db/models.ts";
import { loadClassifier, type Manifest } from "../ml/mod.ts";
import { type Config, isLocalPath } from "../lib/config.ts";
import { logger } from "../lib/log.ts";
import { installBootstrapModel } from "./bootstrap_model.ts";
import { recordTraining, runParameters, trainInSubprocess } from "./training.ts";
import { mlflowTracking } from "./mlflow/mod.ts";
import { bundleStoreFor, ModelStoreError, storeMissingModels } from "./model_store.ts";

const log = logger("models");

/** The data the default model is trained on when no model exists yet. */
export const DEFAULT_TRAINING_DATA = fileURLToPath(
  new URL("../data/agnews/train_10k.csv", import.meta.url),
);
export const DEFAULT_MODEL_NAME = "topic";

/** Trains the default model from the bundled sample in a process of its own (no database). */
function trainDefaultModel(config: Config, signal?: AbortSignal): Promise<Manifest> {
  return trainInSubprocess({
    data: DEFAULT_TRAINING_DATA,
    name: DEFAULT_MODEL_NAME,
    seed: 1,
    dataDir: config.dataDir,
    modelDir: config.modelDir,
    logLevel: config.logLevel,
    signal,
    // The defaults were chosen on AG News: the search finds the same accuracy there
    // (5-fold 0.8987 against 0.8985, `deno task bench taxonomy`) at three times the
    // time, and a first start should be quick.
    search: false,
  });
}

/**
 * Starts the default model's training at once, for a start that cannot have a model yet
 * (a new embedded database), so it runs while the database is created and migrated; null
 * when `HF_MODEL` or `BOOTSTRAP_MODEL_DIR` gives the model. Hand the result to
 * {@link ensureActiveModel}, which records and activates it.
 */
export function trainDefaultModelEarly(
  config: Config,
  signal?: AbortSignal,
): Promise<Manifest> | null {
  if (config.hfModel || config.bootstrapModelDir) return null;
  log.info(
    "no active model: training {name} from {path} in a separate process, while the new database is created",
    {
      name: DEFAULT_MODEL_NAME,
      path: DEFAULT_TRAINING_DATA,
    },
  );
  const training = trainDefaultModel(config, signal);
  // Awaited by ensureActiveModel(); until then a failure is not an unhandled rejection.
  training.catch(() => {});
  return training;
}

/**
 * Makes sure a model is active: with `HF_MODEL`, registers that model and
 * activates it; with `BOOTSTRAP_MODEL_DIR`, installs and registers that model,
 * activating it when none is active; otherwise, when the registry has no active model, trains the
 * default one from the bundled AG News sample, in a process of its own, and
 * activates it (once, even when several replicas start together). Aborting
 * `signal` stops that training. `early` is that training started before (see
 * {@link trainDefaultModelEarly}), used instead of starting another.
 */
export async function ensureActiveModel(
  db: Db,
  config: Config,
  signal?: AbortSignal,
  early?: Promise<Manifest> | null,
): Promise<string> {
  if (config.hfModel) {
    const local = isLocalPath(config.hfModel);
    const location = local
      ? resolve(config.hfModel)
      : `${config.hfModel}@${config.hfModelRevision}`;
    const classifier = local
      ? await loadClassifier({ kind: "dir", dir: location })
      : await loadClassifier({
        kind: "hub",
        repo: config.hfModel,
        revision: config.hfModelRevision!,
        endpoint: config.hfEndpoint,
        cacheDir: join(config.modelDir, ".hub-cache"),
      });
    const version = local ? `local:${location}` : location;
    await registerModel(db, {
      version,
      name: local ? classifier.name : config.hfModel,
      labels: classifier.labels,
      origin: local ? "local" : "hub",
      location,
      manifest: classifier.manifest,
    });
    await classifier.dispose();
    await db.transaction((tx) =>
      activateModel(tx, { version, action: "promote", actor: "HF_MODEL" })
    );
    return version;
  }
  if (config.bootstrapModelDir) {
    await installBootstrapModel(db, {
      bootstrapDir: config.bootstrapModelDir,
      modelDir: config.modelDir,
      store: await bundleStoreFor(config),
    });
  }
  // A bucket that cannot be reached now does not stop the start: the models are still in
  // MODEL_DIR, and the next start stores them.
  const stored = await storeMissingModels(db, config.modelDir, {
    store: await bundleStoreFor(config),
  }).catch((err) => {
    if (!(err instanceof ModelStoreError)) throw err;
    log.warn("models missing from the model store were not stored: {error}", {
      error: err.message,
    });
    return [];
  });
  if (stored.length) log.info("stored models {stored} in the model store", { stored });
  const active = await activeModelVersion(db);
  if (active) return active;
  if (!early) {
    log.info("no active model: training {name} from {path} in a separate process", {
      name: DEFAULT_MODEL_NAME,
      path: DEFAULT_TRAINING_DATA,
    });
  }
  const started = performance.now();
  // The child writes the model with `--out` and no database; this process records
  // the run and registers the model, or records why the child failed.
  const parameters = runParameters(
    { name: DEFAULT_MODEL_NAME, seed: 1, modelDir: config.modelDir },
    { reviewed: false, sources: [DEFAULT_TRAINING_DATA] },
  );
  const { manifest } = await recordTraining(
    db,
    parameters,
    config.modelDir,
    () => early ?? trainDefaultModel(config, signal),
    { tracking: mlflowTracking(config), store: await bundleStoreFor(config) },
  );
  await db.transaction((tx) =>
    activateModel(tx, { version: manifest.version, action: "bootstrap", actor: "first start" })
  );
  log.info("trained and activated {version} in {seconds}s", {
    version: manifest.version,
    seconds: Math.round(performance.now() - started) / 1000,
  });
  return (await activeModelVersion(db))!;
}
