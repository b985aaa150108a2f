/**
 * The environment variables the configuration reads: their zod schema (types, ranges,
 * defaults) and the error that lists every problem found in them. `config.ts` turns
 * the parsed variables into the `Config` the rest of the program receives.
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

/** The most serving processes one replica starts (`WORKERS`, `auto` included). */
export const MAX_WORKERS = 64;

/** The variables' schema, one entry a variable (see `.env.example`). */
export const envSchema = z.object({
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
  STORY_GROUPING: bool.default(true),
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
  // `auto`: one serving process per core (see `loadConfig` in config.ts).
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

/** The environment as parsed by {@link envSchema}. */
export type Env = z.infer<typeof envSchema>;

/** Every environment variable the configuration reads (the `--allow-env` list holds them). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

/** Reads just the configuration's variables, so `--allow-env` can name them one by one. */
export function configEnv(): Record<string, string | undefined> {
  return Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, Deno.env.get(name)]));
}

/** Raised when the environment is invalid; its message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** True for an IPv4/IPv6 address or a CIDR range such as `10.0.0.0/8`. */
function isAddressOrCidr(value: string): boolean {
  const [addr, bits, extra] = value.split("/");
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
