/**
 * Deno's runtime flags for this program, defined once: the tasks (`start`, `dev`, `cli`,
 * `compile`) print them with `scripts/deno_flags.ts`, `serve` uses them to start copies of
 * itself (`WORKERS`, the first-start training run) and to narrow `--allow-net` to what its
 * configuration names (`lib/egress.ts`). Nothing parses deno.json at run time.
 */

/**
 * Every environment variable the program may read, by who reads it. `--allow-env` names
 * exactly these (a `*` covers a prefix); `cli/workers_test.ts` checks that every
 * configuration variable is here.
 */
export const ENV_GROUPS: Readonly<Record<string, readonly string[]>> = {
  /** The HTTP server, its limits and authentication. */
  server: [
    "PORT",
    "HOST",
    "API_KEY",
    "API_KEYS",
    "AUTH_READS",
    "METRICS_PUBLIC",
    "TRUSTED_PROXIES",
    "AUTH_FAILURES_PER_MINUTE",
    "MAX_BODY_BYTES",
    "RATE_LIMIT_PER_MINUTE",
    "CORS_ORIGINS",
    "WORKERS",
    "SESSION_*",
    "SECURE_COOKIES",
    "ACCESS_AUDIT_*",
  ],
  /** Storage: the database, data and model folders, the model store's bucket, backups. */
  storage: [
    "DB_URL",
    "DB_STATEMENT_TIMEOUT_MS",
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "DB_PREPARED_STATEMENTS",
    "DATA_DIR",
    "MODEL_DIR",
    "MODEL_STORE_URL",
    "AWS_*",
    "BACKUP_KEY",
    "BACKUP_MAX_BYTES",
    "SEED_ON_EMPTY",
    "STORY_GROUPING",
  ],
  /** Models, training, review routing and experiment tracking. */
  models: [
    "HF_*",
    "SUMMARIZER_*",
    "BOOTSTRAP_MODEL_DIR",
    "WORD_VECTORS_FILE",
    "REVIEW_*",
    "RETRAIN_*",
    "MLFLOW_*",
  ],
  /** Logging and tracing (Deno's exporter reads the other `OTEL_*` itself). */
  logging: [
    "LOG_JSON",
    "LOG_LEVEL",
    "LOG_TOKENS",
    "LOG_STREAM",
    "NO_COLOR",
    "FORCE_COLOR",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
  ],
  /** Set by `serve` for the processes it starts, never by users. */
  internal: ["NEWSINTEL_WORKER", "NEWSINTEL_NET_SCOPED"],
  /** Read by libraries: postgres.js (`PG*`, the user name), onnxruntime-node, npm shims. */
  libraries: [
    "PG*",
    "USER",
    "USERNAME",
    "LOGNAME",
    "TESTING_REMOTELY",
    "ORT_DISABLE_TELEMETRY",
    "ONNXRUNTIME_*",
    "LIB",
    "SHARP_*",
    "npm_*",
    "MALLOC_ARENA_MAX",
    "MALLOC_MMAP_THRESHOLD_",
    "PKG_CONFIG_PATH",
    "NODE_*",
    "GLOBAL_AGENT_*",
    "CLICOLOR_FORCE",
    "CI",
  ],
};

/**
 * Heap limits for every serving process: an old generation that grows slowly (1.25x its
 * live size), which keeps the process ~120 MB smaller under load. The young generation's
 * semi-spaces may grow to 16 MB: a one-text classify request allocates ~60–90 KB, so at
 * 8 MB a young-generation collection came every ~100 requests, and each one pauses every
 * request in flight for about as long whatever the semi-space size (it copies what those
 * requests hold). At 16 MB there are half as many; in alternating runs at 32 connections
 * the server used 12–22% less CPU per request (p99 was too noisy there to tell), for 5–45
 * MB more resident memory; 32 MB gained nothing and cost ~60 MB (bench/http_load.ts).
 */
export const V8_FLAGS = "--v8-flags=--heap-growing-percent=25,--max-semi-space-size=16";

/** What the flags are for: `deno run` of the sources, or `deno compile` of the binary. */
export type FlagTarget = "run" | "compile";

/** Folders and programs by target: the sources read their own folder; the binary only its data. */
const TARGET_FLAGS: Record<FlagTarget, { read: string; write: string; run: string; ffi: string }> =
  {
    // onnxruntime-node's native addon loads from node_modules.
    run: {
      read: ".",
      write: "data,models,tmp",
      run: "deno,pg_dump,pg_restore",
      ffi: "node_modules",
    },
    // The binary unpacks its native addon under $TMPDIR/deno-compile-newsintel.
    compile: {
      read: "data,models",
      write: "data,models,tmp",
      run: "newsintel,pg_dump,pg_restore",
      ffi: "/tmp/deno-compile-newsintel",
    },
  };

/** The `--allow-env=...` flag: every variable of {@link ENV_GROUPS}. */
export function envFlag(): string {
  return `--allow-env=${Object.values(ENV_GROUPS).flat().join(",")}`;
}

/**
 * The permission flags (and `--unstable-net`, for `WORKERS`' shared port) of `target`.
 * `net` narrows `--allow-net` to those hosts (unscoped when absent); `readWrite` adds
 * absolute folders to the read and write lists.
 */
export function permissionFlags(
  target: FlagTarget,
  options: { net?: readonly string[]; readWrite?: readonly string[] } = {},
): string[] {
  const t = TARGET_FLAGS[target];
  const extra = options.readWrite?.length ? `,${options.readWrite.join(",")}` : "";
  return [
    envFlag(),
    options.net ? `--allow-net=${options.net.join(",")}` : "--allow-net",
    "--allow-sys=cpus,networkInterfaces,hostname",
    `--allow-ffi=${t.ffi}`,
    `--allow-read=${t.read}${extra}`,
    `--allow-write=${t.write}${extra}`,
    `--allow-run=${t.run}`,
    "--unstable-net",
  ];
}

/** The flags each deno.json task passes to deno (`deno run -q scripts/deno_flags.ts TASK`). */
export function taskFlags(task: "start" | "dev" | "cli" | "compile"): string[] {
  if (task === "cli") return permissionFlags("run");
  return [V8_FLAGS, ...permissionFlags(task === "compile" ? "compile" : "run")];
}
