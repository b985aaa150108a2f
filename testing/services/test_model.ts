/** A small model for tests: trained on the toy corpus in a temporary MODEL_DIR, in seconds. */
import type { Db } from "../../db/mod.ts";
import { activateModel } from "../../db/models.ts";
import { TOY_LABELS, toyCorpus } from "../ml/toy_corpus.ts";
import type { Manifest } from "../../ml/mod.ts";
import { trainAndRegister } from "../../services/training.ts";
import type { BundleStore } from "../../services/bundle_store.ts";

export { TOY_LABELS };

/** Small hyperparameters so tests train in well under a second. */
export const TOY_TRAINING = {
  buckets: 1 << 12,
  epochs: 5,
  validationFraction: 0.2,
  vectors: "none" as const,
};

/** Trains, registers and (by default) activates a toy model; returns its manifest. */
export async function trainToyModel(
  db: Db,
  modelDir: string,
  options: {
    seed?: number;
    activate?: boolean;
    name?: string;
    taxonomy?: string;
    store?: BundleStore;
  } = {},
): Promise<Manifest> {
  const manifest = await trainAndRegister(db, toyCorpus(300, options.seed ?? 7), {
    ...TOY_TRAINING,
    seed: options.seed ?? 1,
    name: options.name ?? "toy",
    modelDir,
  }, { taxonomy: options.taxonomy, store: options.store });
  if (options.activate ?? true) {
    await db.transaction((tx) =>
      activateModel(tx, { version: manifest.version, action: "promote", actor: "test" })
    );
  }
  return manifest;
}
