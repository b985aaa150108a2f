/** `newsintel serve`: the JSON API and console, on the embedded database or PostgreSQL. */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { type Db, openDb, type Queryable, redactDbUrl, waitForDatabase } from "../db/mod.ts";
import { type Config, weakApiKeys } from "../lib/config.ts";
import { newSessionSecret } from "../lib/console_session.ts";
import { installSecret } from "../db/install_secrets.ts";
import { flushLogs, logger } from "../lib/log.ts";
import { createMetrics } from "../lib/metrics.ts";
import { type BackgroundSeed, seedInBackground } from "../services/seed_background.ts";
import {
  createModelRuntime,
  ensureActiveModel,
  trainDefaultModelEarly,
} from "../services/model_runtime.ts";
import { createRetrainer } from "../services/retrain.ts";
import { createTextServices } from "../services/text_services.ts";
import { tracedDb } from "../db/traced.ts";
import { reviewPolicy } from "../services/review_routing.ts";
import { createApp } from "../routes/app.ts";
import { startingApp } from "../routes/starting.ts";
import type { ConnEnv } from "../routes/client_address.ts";
import { Closers } from "./closers.ts";
import { runBackfills, startChores } from "./serve_chores.ts";
import { startCommand } from "./context.ts";
import { wholeNumber } from "./options.ts";
import { primaryGone, startWorkers, type WorkerPool } from "./workers.ts";
import { serveNetScoped } from "./serve_scope.ts";
import { createEmbeddedDatabase, isNewEmbeddedDatabase } from "./serve_new_database.ts";
import { egressHosts } from "../lib/egress.ts";

const log = logger("serve");

/** How often each replica checks the registry for a newly promoted model. */
const MODEL_POLL_MS = 2_000;

/** How long SIGTERM waits for in-flight requests before closing anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * With no API key configured, makes one and keeps it in `DATA_DIR/.api-key`
 * (mode 600), so a fresh local install can read and write without extra steps.
 * It is an admin key (whoever can read the data directory runs the service).
 * The key itself is never logged; only where to find it.
 */
export async function ensureLocalApiKey(config: Config): Promise<Config> {
  if (config.apiKeys.length > 0) return config;
  const path = join(config.dataDir, ".api-key");
  let key = await Deno.readTextFile(path).then((s) => s.trim()).catch(() => "");
  if (!key) {
    key = Array.from(
      crypto.getRandomValues(new Uint8Array(24)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    await Deno.mkdir(config.dataDir, { recursive: true });
    await Deno.writeTextFile(path, key + "\n", { mode: 0o600 });
  }
  log.warn("no API_KEY or API_KEYS set: requests take the local admin key stored in {path}", {
    path,
  });
  return { ...config, apiKeys: [{ name: "local", key, role: "admin" }] };
}

/**
 * The console's session-signing secret: `SESSION_SECRET`, else this install's
 * own, made at random by the first process to start and kept in the database.
 * Kept there rather than in `DATA_DIR` beside the local API key because replicas
 * on PostgreSQL share the database but not a data directory: every replica and
 * worker then signs with the same secret without configuration.
 */
export async function withSessionSecret(db: Queryable, config: Config): Promise<Config> {
  if (config.sessionSecret) return config;
  return { ...config, sessionSecret: await installSecret(db, "session", newSessionSecret) };
}

/** Warns, by name, about keys with little variety for their length (lib/config.ts). */
function warnAboutWeakKeys(config: Config): void {
  for (const name of weakApiKeys(config.apiKeys)) {
    log.warn(
      "the API key named {name} looks weak (few distinct characters for its length); " +
        "use 24 or more random characters, e.g. openssl rand -hex 24",
      { name },
    );
  }
}

/** Refuses several serving processes on the embedded database, which one process owns. */
function checkWorkersSetting(config: Config): void {
  // `auto` is refused there even on one core: the setting asks for several processes.
  if ((config.workers > 1 || config.workersAuto) && config.dbUrl.startsWith("pglite://")) {
    throw new Error(
      `WORKERS=${config.workersAuto ? "auto" : config.workers} needs PostgreSQL ` +
        "(DB_URL=postgres://...): the embedded database belongs to a single process",
    );
  }
}

/** Opens the database (traced), logging where, without its password. */
async function openDatabase(config: Config): Promise<Db> {
  log.info("opening database {db}", { db: redactDbUrl(config.dbUrl) });
  return tracedDb(
    await openDb(config.dbUrl, {
      statementTimeoutMs: config.dbStatementTimeoutMs,
      idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
      preparedStatements: config.dbPreparedStatements,
    }),
  );
}

/** Waits until the database answers, logging each retry, until `signal`. */
function databaseReachable(db: Db, signal: AbortSignal): Promise<void> {
  return waitForDatabase(db, {
    signal,
    onRetry: (attempt, delayMs, error) =>
      log.warn("database not reachable ({reason}); retry {attempt} in {seconds}s", {
        reason: error.message,
        attempt,
        seconds: delayMs / 1000,
      }),
  });
}

export function serveCommand() {
  return new Command("serve")
    .description("run the HTTP API and the review console")
    .option(
      "-p, --port <port>",
      "port to listen on (default: PORT or 8001)",
      (v) => wholeNumber(v, "--port", 0, 65535),
    )
    .action(async (options) => {
      let config = await startCommand({ verbose: true, bufferedLogs: true });
      if (options.port !== undefined) config = { ...config, port: options.port };
      const scoped = await serveNetScoped(
        config,
        options.port === undefined ? [] : ["--port", String(options.port)],
      );
      if (scoped !== null) {
        await flushLogs();
        Deno.exit(scoped);
      }
      config = await ensureLocalApiKey(config);
      if (!config.worker) warnAboutWeakKeys(config);
      // Worker n > 0 is one of the primary's extra processes (see workers.ts); they
      // inherit its environment, WORKERS included.
      const worker = config.worker;
      const multiProcess = config.workers > 1;
      checkWorkersSetting(config);

      // The primary listens at once, answering 503 until ready, so orchestrators see
      // the process alive while it waits for the database or trains a first model.
      // A worker listens only once ready: the primary serves meanwhile.
      let phase = "connecting to the database";
      let handler: (req: Request, env: ConnEnv) => Response | Promise<Response> = startingApp(
        () => phase,
        worker,
      ).fetch;
      const listen = () =>
        Deno.serve(
          {
            port: config.port,
            hostname: config.host,
            reusePort: multiProcess,
            onListen: ({ hostname, port }) =>
              log.info("listening on http://{hostname}:{port}{as}", {
                hostname,
                port,
                as: worker ? ` as worker ${worker}` : "",
              }),
          },
          // The socket's address reaches the app as its env: the limits and the loopback
          // rule of /metrics depend on it (routes/client_address.ts).
          (req, info) => handler(req, { remoteAddr: info.remoteAddr }),
        );
      let server = worker ? undefined : listen();

      const stopping = new AbortController();
      // What the start-up opened, closed in reverse once the server has stopped.
      const closers = new Closers();
      let workers: WorkerPool | undefined;
      const stop = async (signal: string) => {
        if (stopping.signal.aborted) return;
        stopping.abort();
        log.info("{signal}: finishing in-flight requests (up to {seconds}s)", {
          signal,
          seconds: SHUTDOWN_GRACE_MS / 1000,
        });
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.all([
          Promise.race([
            server?.shutdown(),
            new Promise((resolve) => timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)),
          ]),
          workers?.stop(SHUTDOWN_GRACE_MS + 2_000),
        ]);
        clearTimeout(timer);
        await closers.close();
        log.info("stopped");
        await flushLogs();
        // A worker's read of its stdin (see primaryGone) would keep it alive.
        Deno.exit(0);
      };
      Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
      Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
      if (worker || config.netScoped) primaryGone().then(() => stop("primary gone"));

      // A new embedded database has no model: the first start's training (a process of
      // its own) runs while the database is created and migrated, not after.
      const fresh = !worker && await isNewEmbeddedDatabase(config.dbUrl);
      const early = fresh ? trainDefaultModelEarly(config, stopping.signal) : null;
      if (fresh) {
        phase = "creating the database";
        log.info("creating the embedded database in a separate process");
        const applied = await createEmbeddedDatabase(
          config.dbUrl,
          config.dataDir,
          stopping.signal,
        ).catch((err) => {
          // Stopped while it ran: the stop handler ends the process.
          if (stopping.signal.aborted) return "stopped" as const;
          stopping.abort(); // ends the training started early
          throw err;
        });
        if (applied === "stopped") return;
        if (applied) log.info("applied migrations {applied}", { applied });
        else log.info("could not start a process for it: creating the database here");
      }
      const db = await openDatabase(config);
      closers.push(() => db.close());
      try {
        await databaseReachable(db, stopping.signal);

        phase = "applying migrations";
        const applied = await migrate(db);
        if (applied.length) log.info("applied migrations {applied}", { applied });
        config = await withSessionSecret(db, config);

        phase = "loading the model";
        await ensureActiveModel(db, config, stopping.signal, early);
        const models = await createModelRuntime(db, config);
        closers.push(() => models.close());
        models.watch(MODEL_POLL_MS);
        const text = await createTextServices(config);
        const retrain = createRetrainer({ db, config, models, signal: stopping.signal });

        // Backfills, seeding, folding and roll-ups are the primary's; workers start once
        // it is ready.
        let stopChores = () => Promise.resolve();
        if (!worker) {
          const pruneAudit = await runBackfills(db, config, (name) => phase = name);
          stopChores = startChores(db, config, retrain, pruneAudit);
        }

        const metrics = createMetrics();
        if (multiProcess) await metrics.share(join(config.dataDir, "run", "metrics"));
        closers.push(() => metrics.close());
        // Stopping aborted its training; its failure is recorded before the database closes.
        closers.push(() => retrain.idle());
        closers.push(stopChores);
        let seeding: BackgroundSeed | undefined;
        // Stopping aborted the seeding; it ends once its batch in flight is stored.
        closers.push(() => seeding?.finished);

        handler = createApp({ config, db, metrics, models, text, retrain }).fetch;
        server ??= listen();
        if (config.workers > 1 && !worker && !stopping.signal.aborted) {
          const port = server.addr.port;
          workers = await startWorkers(config.workers - 1, ["--port", String(port)], {
            net: config.netScoped ? egressHosts(config, port) : undefined,
          });
        }
        log.info("ready");
        // The samples are seeded after ready, in the background: classify and the console
        // answer meanwhile, and the dashboard shows the progress.
        if (!worker && config.seedOnEmpty) {
          seeding = seedInBackground(db, {
            services: { models, text, review: reviewPolicy(config), stories: config.storyGrouping },
            metrics,
            signal: stopping.signal,
          });
        }
      } catch (err) {
        if (stopping.signal.aborted) return;
        stopping.abort(); // ends a training started early
        await server?.shutdown();
        await closers.close();
        await flushLogs();
        throw err;
      }
      await server.finished;
    });
}
