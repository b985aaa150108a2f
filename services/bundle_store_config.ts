/**
 * Which {@link BundleStore} the configuration names: the bucket of `MODEL_STORE_URL`, else
 * the database. Apart from the backends so the S3 SDK loads only when a bucket is used.
 */
import type { Config } from "../lib/config.ts";
import { type BundleStore, databaseBundles } from "./bundle_store.ts";

const s3Stores = new Map<string, Promise<BundleStore>>();

/**
 * The backend `config` names: the bucket of `MODEL_STORE_URL`, else the database. One S3
 * client per URL and endpoint for the process; the SDK is loaded only when a bucket is used.
 */
export function bundleStoreFor(config: Pick<Config, "modelStore">): Promise<BundleStore> {
  const s3 = config.modelStore;
  if (!s3) return Promise.resolve(databaseBundles);
  const key = JSON.stringify(s3);
  let store = s3Stores.get(key);
  if (!store) {
    store = import("./bundle_store_s3.ts").then((m) => m.s3Bundles(s3));
    s3Stores.set(key, store);
  }
  return store;
}
