/**
 * The model store of record: every file of each trained or imported model is kept by a
 * {@link BundleStore} — the database (`db/model_files.ts`), written in the transaction that
 * registers the model, or a bucket (`MODEL_STORE_URL`) — so `MODEL_DIR` is only a cache. A
 * replica whose `MODEL_DIR` lacks a registered version fetches it from the store, checks
 * every file against the registry's manifest and renames it into place; a copy that does
 * not verify is never served.
 */
import { join } from "node:path";
import type { Db, Queryable } from "../db/mod.ts";
import { listModels, type ModelRecord, type NewModel, registerModel } from "../db/models.ts";
import { logger } from "../lib/log.ts";
import { unpackModelChunks } from "../ml/model_chunks.ts";
import { type Manifest, ModelDirError, verifyModelDir } from "../ml/mod.ts";
import { type BundleStore, databaseBundles, ModelStoreError } from "./bundle_store.ts";

export { type BundleStore, ModelStoreError } from "./bundle_store.ts";
export { bundleStoreFor } from "./bundle_store_config.ts";

const log = logger("models");

/** Which backend keeps the bundles (default: the database). */
export interface StoreOptions {
  store?: BundleStore;
}

/** Whether a model of this origin keeps its files in the store (hub and local models do not). */
export function isStoredOrigin(origin: ModelRecord["origin"]): boolean {
  return origin === "trained" || origin === "imported";
}

/**
 * Stores the files of the model directory `dir` (described by `manifest`) unless that
 * version is stored already; returns whether it wrote them. Run it in the transaction
 * that registers the model, so no model is registered without its files.
 */
export function storeModelFiles(
  q: Queryable,
  dir: string,
  manifest: Pick<Manifest, "version" | "files">,
  { store = databaseBundles }: StoreOptions = {},
): Promise<boolean> {
  return store.put(q, dir, manifest);
}

/** Registers a model whose files are in `dir` and stores them (see {@link storeModelFiles}). */
export async function registerStoredModel(
  q: Queryable,
  model: NewModel & { manifest: Manifest },
  dir: string,
  options: StoreOptions = {},
): Promise<void> {
  await registerModel(q, model);
  await storeModelFiles(q, dir, model.manifest, options);
}

/**
 * The directory of the stored model `record` under `modelDir`: there already when it
 * verifies, else fetched from the store. A cached copy that does not verify is moved
 * aside and fetched again. Throws a {@link ModelStoreError} when the store cannot give
 * a copy that verifies; then nothing new is left in `modelDir`.
 */
export async function ensureModelFiles(
  db: Queryable,
  modelDir: string,
  record: ModelRecord,
  options: StoreOptions = {},
): Promise<string> {
  const dir = join(modelDir, record.location);
  const cached = await verifyModelDir(dir).then((m) => {
    // A record without a manifest has nothing to compare with: its verified folder serves.
    return record.manifest === null || sameFiles(m.files, record.manifest)
      ? true
      : new ModelDirError(dir, `${dir} holds other files than the registry's model`);
  }, (err) => {
    if (!(err instanceof ModelDirError)) throw err;
    return err.path === dir && /does not exist/.test(err.message) ? false : err;
  });
  if (cached === true) return dir;
  if (cached instanceof ModelDirError) {
    const aside = join(modelDir, `.corrupt-${record.version}-${crypto.randomUUID().slice(0, 8)}`);
    log.warn("cached model {version} does not verify ({reason}); fetching it again", {
      version: record.version,
      reason: cached.message,
    });
    await Deno.rename(dir, aside).catch(() => {});
  }
  const started = performance.now();
  const fetched = await fetchStoredModel(db, modelDir, record, options);
  log.info("fetched model {version} from the model store ({store}) in {ms}ms", {
    version: record.version,
    store: (options.store ?? databaseBundles).name,
    ms: Math.round(performance.now() - started),
  });
  return fetched;
}

/** Writes the stored model `record` to `modelDir/<version>` (see {@link ensureModelFiles}). */
export async function fetchStoredModel(
  db: Queryable,
  modelDir: string,
  record: ModelRecord,
  { store = databaseBundles }: StoreOptions = {},
): Promise<string> {
  const { version } = record;
  if (record.location !== version) {
    throw new ModelStoreError(version, `model ${version} is stored under another name`);
  }
  const source = await store.open(db, version);
  if (!source) {
    throw new ModelStoreError(
      version,
      `model ${version} is not in the model store (${store.name}) and not in MODEL_DIR ${modelDir}`,
    );
  }
  try {
    return await unpackModelChunks(modelDir, record.manifest, source);
  } catch (err) {
    if (err instanceof ModelDirError) {
      throw new ModelStoreError(
        version,
        `the model store's copy of ${version} (${store.name}) is corrupt: ${err.message}`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Stores the files of registered models that are in `modelDir` but not yet in the store
 * (models registered before the store existed); returns their versions. A model whose
 * directory is missing or does not verify is left out, with a warning.
 */
export async function storeMissingModels(
  db: Db,
  modelDir: string,
  { store = databaseBundles }: StoreOptions = {},
): Promise<string[]> {
  const added: string[] = [];
  for (const model of await listModels(db)) {
    if (!isStoredOrigin(model.origin) || await store.has(db, model.version)) continue;
    const dir = join(modelDir, model.location);
    try {
      const manifest = await verifyModelDir(dir);
      if (!sameFiles(manifest.files, model.manifest)) {
        log.warn("model {version} in MODEL_DIR is not the registry's; not stored", {
          version: model.version,
        });
        continue;
      }
      if (await db.transaction((tx) => store.put(tx, dir, manifest))) {
        added.push(model.version);
      }
    } catch (err) {
      if (!(err instanceof ModelDirError)) throw err;
      log.warn("model {version} is in neither the model store nor MODEL_DIR: {reason}", {
        version: model.version,
        reason: err.message,
      });
    }
  }
  return added;
}

/** Whether a directory's manifest lists the same files and sha256s as the registry's manifest. */
function sameFiles(files: Record<string, string>, registered: unknown): boolean {
  const listed = (registered as { files?: Record<string, string> } | null)?.files;
  if (!listed) return false;
  const key = (f: Record<string, string>) => JSON.stringify(Object.entries(f).sort());
  return key(files) === key(listed);
}
