import assert from "node:assert/strict";
import { ConfigError, isLocalPath, loadConfig } from "./config.ts";

/** Runs loadConfig and returns its problems (failing the test when it does not throw). */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail("loadConfig() accepted an invalid environment");
}

Deno.test("loadConfig() gives the documented defaults for an empty environment", () => {
  assert.deepEqual(loadConfig({}), {
    port: 8001,
    host: "0.0.0.0",
    dbUrl: "pglite://data/db",
    dbStatementTimeoutMs: 30_000,
    dbIdleInTransactionTimeoutMs: 60_000,
    dbPreparedStatements: true,
    dataDir: "data",
    modelDir: "models",
    apiKeys: [],
    authReads: true,
    metricsPublic: false,
    trustedProxies: [],
    authFailuresPerMinute: 10,
    logJson: false,
    logLevel: undefined,
    maxBodyBytes: 5 * 1024 * 1024,
    seedOnEmpty: true,
    storyGrouping: true,
    hfEndpoint: "https://huggingface.co",
    hfModel: undefined,
    hfModelRevision: undefined,
    summarizerModel: undefined,
    summarizerModelRevision: undefined,
    hfDatasetAgNewsRevision: undefined,
    hfDatasetJsonRevision: undefined,
    bootstrapModelDir: undefined,
    wordVectorsFile: undefined,
    workers: 1,
    workersAuto: false,
    worker: 0,
    rateLimitPerMinute: 60_000,
    corsOrigins: [],
    reviewThreshold: 0.6,
    reviewAuditRate: 0.01,
    reviewOverlap: 1,
    reviewLeaseSeconds: 300,
    reviewLanguages: ["en"],
    sessionSecret: undefined,
    sessionTtlSeconds: 12 * 3600,
    secureCookies: false,
    mlflowTrackingUri: undefined,
    mlflowTrackingToken: undefined,
    mlflowTrackingUsername: undefined,
    mlflowTrackingPassword: undefined,
    mlflowExperimentName: "newsintel",
    retrainAfterLabels: 0,
    retrainEvalShare: 0.2,
    retrainEvalFile: undefined,
    accessAuditRetentionDays: 90,
    retrainMinEval: 200,
    retrainMargin: 0.005,
    retrainFixedTolerance: 0.01,
    retrainAutoPromote: false,
    backupKey: undefined,
    backupMaxBytes: 8 * 2 ** 30,
    modelStore: undefined,
    netScoped: false,
    otlpEndpoint: undefined,
  });
});

Deno.test("loadConfig() takes a file: or http(s):// MLflow tracking URI and refuses others", () => {
  const c = loadConfig({
    MLFLOW_TRACKING_URI: "http://127.0.0.1:5000",
    MLFLOW_TRACKING_TOKEN: "t0ken",
    MLFLOW_EXPERIMENT_NAME: "topics",
  });
  assert.equal(c.mlflowTrackingUri, "http://127.0.0.1:5000");
  assert.equal(c.mlflowTrackingToken, "t0ken");
  assert.equal(c.mlflowExperimentName, "topics");
  assert.equal(
    loadConfig({ MLFLOW_TRACKING_URI: "file:./mlruns" }).mlflowTrackingUri,
    "file:./mlruns",
  );
  for (const bad of ["databricks", "s3://bucket/mlruns", "file:", "./mlruns"]) {
    assert.throws(() => loadConfig({ MLFLOW_TRACKING_URI: bad }), /MLFLOW_TRACKING_URI/);
  }
});

Deno.test("loadConfig() reads the retrain settings and refuses ones out of range", () => {
  const c = loadConfig({
    RETRAIN_AFTER_LABELS: "500",
    RETRAIN_EVAL_SHARE: "0.1",
    RETRAIN_EVAL_FILE: "data/eval.jsonl",
    RETRAIN_MIN_EVAL: "50",
    RETRAIN_MARGIN: "0.01",
    RETRAIN_FIXED_TOLERANCE: "0",
    RETRAIN_AUTO_PROMOTE: "true",
  });
  assert.deepEqual(
    [
      c.retrainAfterLabels,
      c.retrainEvalShare,
      c.retrainEvalFile,
      c.retrainMinEval,
      c.retrainMargin,
      c.retrainFixedTolerance,
      c.retrainAutoPromote,
    ],
    [500, 0.1, "data/eval.jsonl", 50, 0.01, 0, true],
  );
  assert.throws(
    () =>
      loadConfig({
        RETRAIN_AFTER_LABELS: "-1",
        RETRAIN_EVAL_SHARE: "1",
        RETRAIN_MIN_EVAL: "0",
        RETRAIN_MARGIN: "x",
      }),
    /RETRAIN_AFTER_LABELS: .*; RETRAIN_EVAL_SHARE: .*; RETRAIN_MIN_EVAL: .*; RETRAIN_MARGIN: /,
  );
});

Deno.test("loadConfig() reads the backup key and size cap, and refuses a short key", () => {
  const key = "k".repeat(32);
  const c = loadConfig({ BACKUP_KEY: key, BACKUP_MAX_BYTES: "1048576" });
  assert.deepEqual([c.backupKey, c.backupMaxBytes], [key, 1048576]);
  assert.throws(() => loadConfig({ BACKUP_KEY: "short" }), /BACKUP_KEY: must be at least 32/);
  assert.throws(() => loadConfig({ BACKUP_MAX_BYTES: "1000" }), /BACKUP_MAX_BYTES/);
});

Deno.test("loadConfig() prepares statements unless DB_PREPARED_STATEMENTS turns it off", () => {
  assert.equal(loadConfig({}).dbPreparedStatements, true);
  assert.equal(loadConfig({ DB_PREPARED_STATEMENTS: "false" }).dbPreparedStatements, false);
  assert.equal(loadConfig({ DB_PREPARED_STATEMENTS: "0" }).dbPreparedStatements, false);
  assert.throws(() => loadConfig({ DB_PREPARED_STATEMENTS: "maybe" }), /DB_PREPARED_STATEMENTS/);
});

Deno.test("loadConfig() reads the database timeouts in milliseconds, 0 for none", () => {
  const c = loadConfig({ DB_STATEMENT_TIMEOUT_MS: "0", DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: "1500" });
  assert.deepEqual([c.dbStatementTimeoutMs, c.dbIdleInTransactionTimeoutMs], [0, 1500]);
  assert.throws(
    () => loadConfig({ DB_STATEMENT_TIMEOUT_MS: "-1", DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: "1.5s" }),
    /DB_STATEMENT_TIMEOUT_MS: .*; DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: /,
  );
});

Deno.test("loadConfig() puts the embedded database under DATA_DIR unless DB_URL is set", () => {
  assert.equal(
    loadConfig({ DATA_DIR: "/var/lib/newsintel" }).dbUrl,
    "pglite:///var/lib/newsintel/db",
  );
  assert.equal(
    loadConfig({ DATA_DIR: "/x", DB_URL: "postgres://u@db:5432/news" }).dbUrl,
    "postgres://u@db:5432/news",
  );
  assert.equal(loadConfig({ DB_URL: "postgresql://db/news" }).dbUrl, "postgresql://db/news");
});

Deno.test("loadConfig() reads numbers and yes/no flags", () => {
  const c = loadConfig({
    PORT: "9000",
    WORKERS: "4",
    LOG_JSON: "1",
    AUTH_READS: "no",
    SEED_ON_EMPTY: "false",
    STORY_GROUPING: "no",
    LOG_LEVEL: "debug",
    MAX_BODY_BYTES: "2048",
  });
  assert.deepEqual(
    [
      c.port,
      c.workers,
      c.logJson,
      c.authReads,
      c.seedOnEmpty,
      c.storyGrouping,
      c.logLevel,
      c.maxBodyBytes,
    ],
    [9000, 4, true, false, false, false, "debug", 2048],
  );
});

Deno.test("loadConfig() rejects an unknown role without echoing the key", () => {
  const problems = problemsOf({ API_KEYS: "ops:root=ops-secret-key-0001" });
  assert.deepEqual(problems, [
    'API_KEYS: the key named "ops" has role "root"; use admin or reviewer',
  ]);
});

Deno.test("loadConfig() reads TRUSTED_PROXIES as addresses and CIDR ranges, refusing others", () => {
  const c = loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, ::1,192.168.1.7", METRICS_PUBLIC: "yes" });
  assert.deepEqual(c.trustedProxies, ["10.0.0.0/8", "::1", "192.168.1.7"]);
  assert.equal(c.metricsPublic, true);
  for (const bad of ["10.0.0.0/33", "proxy.internal", "10.0.0.1/8/1", "::1/129"]) {
    assert.match(problemsOf({ TRUSTED_PROXIES: bad })[0], /^TRUSTED_PROXIES: /, bad);
  }
});

Deno.test("loadConfig() parses API_KEYS 'name=key;key2' into named keys", () => {
  assert.deepEqual(
    loadConfig({ API_KEYS: "alice=alice-secret-key-1;bare-secret-key-22" }).apiKeys,
    [
      { name: "alice", key: "alice-secret-key-1", role: "reviewer" },
      { name: "key2", key: "bare-secret-key-22", role: "reviewer" },
    ],
  );
});

Deno.test("loadConfig() rejects keys shorter than 16 characters and repeated names", () => {
  assert.deepEqual(problemsOf({ API_KEYS: "a=fifteen-chars!;a=long-enough-key-01" }), [
    'API_KEYS: the key named "a" is shorter than 16 characters ' +
    "(make one with: openssl rand -hex 24)",
    "API_KEYS: key names must be unique",
  ]);
  // Eight characters were enough before; a key of 15 is refused for API_KEY too.
  assert.match(problemsOf({ API_KEY: "ops-secret-01" })[0], /"default" is shorter than 16/);
  assert.equal(loadConfig({ API_KEY: "0123456789abcdef" }).apiKeys.length, 1);
});

Deno.test({
  name: "loadConfig() takes a bare base64 key with '=' padding as a key, never echoing it",
  fn() {
    const secret = "q2hLx0aZ9sUe4wJ1Yy0=";
    let config;
    try {
      config = loadConfig({ API_KEYS: secret });
    } catch (err) {
      assert.ok(!String(err).includes(secret.slice(0, 8)), `the error echoes the key: ${err}`);
      throw err;
    }
    assert.deepEqual(config.apiKeys, [{ name: "key1", key: secret, role: "reviewer" }]);
  },
});

Deno.test("loadConfig() reports every problem together in one ConfigError", () => {
  const problems = problemsOf({
    PORT: "abc",
    WORKERS: "0",
    LOG_LEVEL: "loud",
    DB_URL: "mysql://db",
    LOG_JSON: "maybe",
    API_KEYS: "bob=tiny",
    HF_MODEL: "owner/model",
  });
  const variables = problems.map((p) => p.split(":")[0]).sort();
  assert.deepEqual(variables, [
    "API_KEYS",
    "DB_URL",
    "HF_MODEL_REVISION",
    "LOG_JSON",
    "LOG_LEVEL",
    "PORT",
    "WORKERS",
  ]);
  const err = (() => {
    try {
      loadConfig({ PORT: "abc", WORKERS: "0" });
    } catch (e) {
      return e as ConfigError;
    }
  })()!;
  assert.match(err.message, /^invalid configuration: PORT: .+; WORKERS: .+$/);
  assert.ok(!err.message.includes("\n"), "one line");
});

Deno.test("loadConfig() requires a revision for a hub model id, not for a local path", () => {
  assert.deepEqual(problemsOf({ HF_MODEL: "acme/news-topics" }), [
    "HF_MODEL_REVISION: required when HF_MODEL names a hub repository",
  ]);
  assert.deepEqual(problemsOf({ SUMMARIZER_MODEL: "acme/summarizer" }), [
    "SUMMARIZER_MODEL_REVISION: required when SUMMARIZER_MODEL names a hub repository",
  ]);
  const commit = "4f2e0c9a1b7d3e5f60718293a4b5c6d7e8f90a1b";
  const pinned = loadConfig({ HF_MODEL: "acme/news-topics", HF_MODEL_REVISION: commit });
  assert.deepEqual([pinned.hfModel, pinned.hfModelRevision], ["acme/news-topics", commit]);
  for (const local of ["/srv/models/v3", "./models/v3", "../models/v3"]) {
    assert.equal(loadConfig({ HF_MODEL: local, SUMMARIZER_MODEL: local }).hfModel, local);
  }
});

Deno.test("isLocalPath() tells paths from hub repository ids", () => {
  assert.deepEqual(
    ["/abs", "./rel", "../up", "owner/name", "name", "models/v3"].map(isLocalPath),
    [true, true, true, false, false, false],
  );
});

Deno.test({
  name: "loadConfig() does not turn an empty PORT into port 0",
  fn() {
    let port: number | undefined;
    try {
      port = loadConfig({ PORT: "" }).port;
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return;
    }
    assert.equal(port, 8001);
  },
});

Deno.test("loadConfig() refuses hub revisions that are not full commit ids", () => {
  const variables = [
    "HF_MODEL_REVISION",
    "SUMMARIZER_MODEL_REVISION",
    "HF_DATASET_AG_NEWS_REVISION",
    "HF_DATASET_JSON_REVISION",
  ];
  for (
    const revision of [
      "main",
      "v1.2.0",
      "refs/pr/1",
      "4f2e0c9",
      "4F2E0C9A1B7D3E5F60718293A4B5C6D7E8F90A1B",
    ]
  ) {
    const env = Object.fromEntries(variables.map((v) => [v, revision]));
    assert.deepEqual(
      problemsOf({ HF_MODEL: "acme/news-topics", SUMMARIZER_MODEL: "acme/sum", ...env }),
      variables.map((v) =>
        `${v}: must be a full 40-character commit id (a branch or tag can move)`
      ),
      revision,
    );
  }
});

Deno.test("loadConfig() reads WORKERS=auto as one process per core, capped, and refuses other words", () => {
  const auto = loadConfig({ WORKERS: "auto" }, { cores: 6 });
  assert.deepEqual([auto.workers, auto.workersAuto], [6, true]);
  assert.equal(loadConfig({ WORKERS: "auto" }, { cores: 512 }).workers, 64);
  assert.equal(loadConfig({ WORKERS: "auto" }).workers, navigator.hardwareConcurrency);
  assert.deepEqual([loadConfig({ WORKERS: "3" }).workers, loadConfig({}).workersAuto], [3, false]);
  assert.throws(() => loadConfig({ WORKERS: "all" }), /WORKERS: must be auto or a whole number/);
  assert.throws(() => loadConfig({ WORKERS: "65" }), /WORKERS: /);
});

Deno.test("loadConfig() keeps BOOTSTRAP_MODEL_DIR as given", () => {
  assert.equal(
    loadConfig({ BOOTSTRAP_MODEL_DIR: "models/bootstrap" }).bootstrapModelDir,
    "models/bootstrap",
  );
});
