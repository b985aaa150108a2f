/**
 * Where a registered model's files are on this machine, and loading one: a local
 * `HF_MODEL` from its own path, a hub model from the hub cache, a trained or imported
 * model from `MODEL_DIR`, fetched from the model store first when `MODEL_DIR` lacks it.
 */
import { join, resolve } from "node:path";
import type { Db } from "../db/mod.ts";
import { getModel, type ModelRecord } from "../db/models.ts";
import { type Classifier, loadClassifier } from "../ml/mod.ts";
import type { Config } from "../lib/config.ts";
import { bundleStoreFor, ensureModelFiles, isStoredOrigin } from "./model_store.ts";

/**
 * The directory of a registered model: its own path for a local `HF_MODEL`,
 * else its folder under `MODEL_DIR`; null for a hub model (served from its cache).
 */
export function registeredModelDir(config: Config, record: ModelRecord): string | null {
  if (record.origin === "hub") return null;
  return resolve(
    record.origin === "local" ? record.location : join(config.modelDir, record.location),
  );
}

/**
 * The directory of a registered model on this machine, like {@link registeredModelDir},
 * fetching a trained or imported model from the model store when `MODEL_DIR` lacks it.
 */
export async function localModelDir(
  db: Db,
  config: Config,
  record: ModelRecord,
): Promise<string | null> {
  // Absolute: transformers.js reads a relative directory as one under its own package.
  return isStoredOrigin(record.origin)
    ? resolve(
      await ensureModelFiles(db, config.modelDir, record, {
        store: await bundleStoreFor(config),
      }),
    )
    : registeredModelDir(config, record);
}

/**
 * Loads the registered model `version` from `MODEL_DIR`, fetching a trained or imported
 * model's files from the model store first when `MODEL_DIR` lacks them.
 */
export async function loadRegistered(db: Db, config: Config, version: string): Promise<Classifier> {
  const record = await getModel(db, version);
  if (!record) throw new Error(`model ${version} is active but not registered`);
  if (record.origin === "hub") {
    const [repo, revision] = record.location.split("@");
    return loadClassifier({
      kind: "hub",
      repo,
      revision,
      endpoint: config.hfEndpoint,
      cacheDir: join(config.modelDir, ".hub-cache"),
    });
  }
  return loadClassifier({ kind: "dir", dir: (await localModelDir(db, config, record))! });
}
