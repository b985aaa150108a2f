/**
 * The model a first start serves without training: `BOOTSTRAP_MODEL_DIR` names a model
 * trained ahead of time (`newsintel train --out DIR`, run when a container image is
 * built), which is verified, copied into `MODEL_DIR`, registered (its files stored in the
 * model store) and — only when no model is active yet — activated. So a fresh image serves in seconds, and a replica with its
 * own empty `MODEL_DIR` gets the files of the baked model back on every start.
 */
import type { Db } from "../db/mod.ts";
import { activateModel } from "../db/models.ts";
import { logger } from "../lib/log.ts";
import { findModelDir, installModelDir, type Manifest } from "../ml/mod.ts";
import { registerTrained } from "./training.ts";
import type { BundleStore } from "./bundle_store.ts";

const log = logger("models");

/** Who the activation history names for a bootstrap from the baked model. */
export const BOOTSTRAP_ACTOR = "BOOTSTRAP_MODEL_DIR";

/**
 * Installs the model of `bootstrapDir` into `modelDir` and registers it (origin
 * `trained`, as `newsintel train` registers its models); activates it with action
 * `bootstrap` when no model is active. Throws a `ModelDirError` (nothing registered,
 * nothing left in `modelDir`) when the directory is missing or does not match its manifest.
 */
export async function installBootstrapModel(
  db: Db,
  options: { bootstrapDir: string; modelDir: string; store?: BundleStore },
): Promise<{ manifest: Manifest; activated: boolean }> {
  const source = await findModelDir(options.bootstrapDir);
  const manifest = await installModelDir(source, options.modelDir);
  const activated = await db.transaction(async (tx) => {
    await registerTrained(tx, manifest, { modelDir: options.modelDir, store: options.store });
    return activateModel(tx, {
      version: manifest.version,
      action: "bootstrap",
      actor: BOOTSTRAP_ACTOR,
    });
  });
  log.info("{what} model {version} from {source}", {
    what: activated ? "activated the baked" : "installed the baked",
    version: manifest.version,
    source,
  });
  return { manifest, activated };
}
