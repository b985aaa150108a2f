/**
 * The model store's S3 backend (`MODEL_STORE_URL=s3://bucket/prefix`): each file of a model
 * is one object, `prefix/<version>/<path>`, uploaded as a stream. manifest.json goes up
 * last, so a version whose manifest.json exists is complete; the registry row in the
 * database keeps the manifest and every file's sha256, which every fetch checks.
 * Works with AWS S3 and S3-compatible servers (MinIO, Ceph, s3rver) through their endpoint,
 * addressed path-style.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { S3StoreConfig } from "../lib/config.ts";
import { modelFilePaths } from "../ml/model_chunks.ts";
import { type BundleSource, type BundleStore, ModelStoreError } from "./bundle_store.ts";

/** Seconds to open a connection and to wait for an answer before a request fails. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** The S3 client for `config`: its endpoint path-style, its keys when given (else the SDK's chain). */
export function s3Client(config: S3StoreConfig): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.accessKeyId && config.secretAccessKey
      ? {
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        sessionToken: config.sessionToken,
      }
      : undefined,
    // The sha256 of every file is checked against the registry's manifest on fetch; the
    // SDK's own checksums would need to read each streamed upload twice, and not every
    // S3-compatible server speaks the trailing-checksum encoding they use.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}

/** A {@link BundleStore} keeping each model under `s3://bucket/prefix/<version>/`. */
export function s3Bundles(config: S3StoreConfig): BundleStore {
  const client = s3Client(config);
  const key = (version: string, path: string) =>
    [config.prefix, version, path].filter(Boolean).join("/");
  const where = (version: string, path: string) => `s3://${config.bucket}/${key(version, path)}`;
  const unreachable = (version: string, err: unknown) =>
    new ModelStoreError(
      version,
      `the model store ${config.url} cannot be reached for model ${version}: ${describe(err)}`,
      { cause: err },
    );

  async function exists(version: string, path: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: config.bucket, Key: key(version, path) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw unreachable(version, err);
    }
  }

  return {
    name: config.url,
    has: (_q, version) => exists(version, "manifest.json"),
    async put(_q, dir, manifest) {
      const { version } = manifest;
      if (await exists(version, "manifest.json")) return false;
      // manifest.json last: its presence says the bundle is whole.
      for (const path of [...modelFilePaths(manifest).slice(1), "manifest.json"]) {
        const file = join(dir, path);
        const { size } = await Deno.stat(file);
        // A Node stream: the SDK's Node HTTP handler pipes it (a web stream it cannot).
        const body = createReadStream(file);
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: config.bucket,
              Key: key(version, path),
              Body: body,
              ContentLength: size,
            }),
          );
        } catch (err) {
          throw new ModelStoreError(
            version,
            `could not store ${path} of model ${version} at ${where(version, path)}: ${
              describe(err)
            }`,
            { cause: err },
          );
        } finally {
          body.destroy();
        }
      }
      return true;
    },
    async open(_q, version): Promise<BundleSource | null> {
      if (!(await exists(version, "manifest.json"))) return null;
      return async function* (path) {
        let body: AsyncIterable<Uint8Array>;
        try {
          const answer = await client.send(
            new GetObjectCommand({ Bucket: config.bucket, Key: key(version, path) }),
          );
          body = answer.Body as unknown as AsyncIterable<Uint8Array>;
        } catch (err) {
          if (isNotFound(err)) {
            throw new ModelStoreError(
              version,
              `stored model ${version} has no ${path} (${where(version, path)} is missing)`,
              { cause: err },
            );
          }
          throw unreachable(version, err);
        }
        try {
          for await (const chunk of body) yield chunk;
        } catch (err) {
          throw unreachable(version, err);
        }
      };
    },
    close: () => client.destroy(),
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException &&
    (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404);
}

/** A short reason: the S3 error's name and status, or a connection error's message. */
function describe(err: unknown): string {
  if (err instanceof S3ServiceException) {
    return `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? "?"})${
      err.message && err.message !== err.name && err.message !== "UnknownError"
        ? `: ${err.message}`
        : ""
    }`;
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
