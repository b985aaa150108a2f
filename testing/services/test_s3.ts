/**
 * An S3-compatible server for tests: `s3rver` (npm) on a loopback port with a fresh bucket,
 * and the environment that points `MODEL_STORE_URL` at it.
 */
import S3rver from "s3rver";

/** A running s3rver with one bucket. */
export interface TestS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  bucket: string;
  /** The folder s3rver keeps objects in (`<bucket>/<key>._S3rver_object` files). */
  directory: string;
  /** Variables for `loadConfig()` that keep models under `s3://bucket/prefix`. */
  env(prefix?: string): Record<string, string>;
  /** Stops the server (it may be started again with {@link startTestS3} on the same folder). */
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (a free port unless `port` is given) with the bucket `bucket`. */
export async function startTestS3(
  options: { bucket?: string; directory?: string; port?: number } = {},
): Promise<TestS3> {
  const bucket = options.bucket ?? "models-test";
  const directory = options.directory ?? await Deno.makeTempDir({ prefix: "newsintel-s3-" });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: (prefix = "") => ({
      MODEL_STORE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ""}`,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    }),
    stop: () => server.close(),
  };
}
