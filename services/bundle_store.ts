/**
 * Where the model store keeps the bytes of registered models' bundles: in the database
 * (`model_files`, the default) or in an S3-compatible bucket (`MODEL_STORE_URL`, see
 * `bundle_store_s3.ts`). Either way the registry row keeps the manifest with every file's
 * sha256, and `model_store.ts` fetches, verifies and unpacks a bundle the same way from
 * both: a backend only stores files and gives back their bytes.
 */
import type { Queryable } from "../db/mod.ts";
import {
  hasStoredModel,
  insertModelFileChunk,
  readModelFileChunk,
  storedModelFiles,
} from "../db/model_files.ts";
import { readModelChunks } from "../ml/model_chunks.ts";
import type { Manifest } from "../ml/mod.ts";

/** A registered model the store cannot give back: not stored, incomplete, corrupt or unreachable. */
export class ModelStoreError extends Error {
  constructor(readonly version: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ModelStoreError";
  }
}

/** Reads one stored file of a model as a stream of byte chunks, in order. */
export type BundleSource = (path: string) => AsyncIterable<Uint8Array>;

/** A place that keeps models' files (see the module header). */
export interface BundleStore {
  /** For messages and logs: `database` or `s3://bucket/prefix`. */
  readonly name: string;
  /** Whether the whole bundle of `version` is stored. */
  has(q: Queryable, version: string): Promise<boolean>;
  /**
   * Stores manifest.json and every file `manifest` lists from the directory `dir`, unless
   * the version is stored already; returns whether it wrote them. The database backend
   * writes in `q`'s transaction; others write before it commits, so a model is never
   * registered without its files.
   */
  put(q: Queryable, dir: string, manifest: Pick<Manifest, "version" | "files">): Promise<boolean>;
  /**
   * The stored files of `version`, or null when the version is not stored. The source
   * throws a {@link ModelStoreError} for a file (or part of one) it cannot give back.
   */
  open(q: Queryable, version: string): Promise<BundleSource | null>;
  /** Releases connections the backend holds. */
  close?(): void;
}

/** The default backend: every file in `model_files`, in numbered chunks, beside the registry. */
export const databaseBundles: BundleStore = {
  name: "database",
  has: (q, version) => hasStoredModel(q, version),
  async put(q, dir, manifest) {
    if (await hasStoredModel(q, manifest.version)) return false;
    for await (const chunk of readModelChunks(dir, manifest)) {
      await insertModelFileChunk(q, { version: manifest.version, ...chunk });
    }
    return true;
  },
  async open(q, version) {
    const files = new Map((await storedModelFiles(q, version)).map((f) => [f.path, f]));
    if (files.size === 0) return null;
    return async function* (path) {
      const file = files.get(path);
      if (!file) throw new ModelStoreError(version, `stored model ${version} has no ${path}`);
      for (const [i, { chunkNo }] of file.chunks.entries()) {
        const bytes = chunkNo === i
          ? await readModelFileChunk(q, version, { path, chunkNo })
          : null;
        if (!bytes) {
          throw new ModelStoreError(version, `stored model ${version} misses part ${i} of ${path}`);
        }
        yield bytes;
      }
    };
  },
};
