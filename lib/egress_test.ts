import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { egressHosts } from "./egress.ts";

Deno.test("egressHosts() names only the listening address and the database by default", () => {
  assert.deepEqual(egressHosts(loadConfig({})), ["0.0.0.0:8001"]);
  assert.deepEqual(
    egressHosts(loadConfig({ HOST: "127.0.0.1", DB_URL: "postgres://u:p@db.internal/news" })),
    ["127.0.0.1:8001", "db.internal:5432"],
  );
  assert.deepEqual(
    egressHosts(loadConfig({ DB_URL: "postgres://u:p@a:5433,b:5434/news?sslmode=require" })),
    ["0.0.0.0:8001", "a:5433", "b:5434"],
  );
  assert.deepEqual(egressHosts(loadConfig({ DB_URL: "postgres://[::1]:6432/db" }), 0), [
    "0.0.0.0",
    "[::1]:6432",
  ]);
});

Deno.test("egressHosts() adds the hub, MLflow, the collector and the bucket only when configured", () => {
  const revision = "0123456789abcdef0123456789abcdef01234567";
  // HF_ENDPOINT alone (no hub model) opens nothing.
  assert.deepEqual(egressHosts(loadConfig({ HF_ENDPOINT: "https://mirror.example" })), [
    "0.0.0.0:8001",
  ]);
  // A local model directory needs no hub either.
  assert.deepEqual(egressHosts(loadConfig({ HF_MODEL: "./models/x" })), ["0.0.0.0:8001"]);
  assert.deepEqual(
    egressHosts(loadConfig({ HF_MODEL: "acme/topics", HF_MODEL_REVISION: revision })),
    ["0.0.0.0:8001", "huggingface.co:443", "*.huggingface.co", "*.hf.co"],
  );
  assert.deepEqual(
    egressHosts(loadConfig({
      SUMMARIZER_MODEL: "acme/sum",
      SUMMARIZER_MODEL_REVISION: revision,
      HF_ENDPOINT: "http://hub.internal:8080",
      MLFLOW_TRACKING_URI: "https://mlflow.internal",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4318",
      MODEL_STORE_URL: "s3://models/newsintel",
      AWS_ENDPOINT_URL: "http://minio.storage:9000",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "secret",
    })),
    [
      "0.0.0.0:8001",
      "hub.internal:8080",
      "mlflow.internal:443",
      "otel-collector.observability:4318",
      "minio.storage:9000",
    ],
  );
  // A file: MLflow store is no host.
  assert.deepEqual(egressHosts(loadConfig({ MLFLOW_TRACKING_URI: "file:./mlruns" })), [
    "0.0.0.0:8001",
  ]);
  // AWS S3 itself, credentials from the platform.
  assert.deepEqual(
    egressHosts(loadConfig({ MODEL_STORE_URL: "s3://models", AWS_REGION: "eu-west-1" })),
    [
      "0.0.0.0:8001",
      "models.s3.eu-west-1.amazonaws.com:443",
      "s3.eu-west-1.amazonaws.com:443",
      "169.254.169.254:80",
      "169.254.170.2:80",
      "sts.eu-west-1.amazonaws.com:443",
    ],
  );
});
