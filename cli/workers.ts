/**
 * `WORKERS > 1`: extra `serve` processes sharing the listening port with
 * `SO_REUSEPORT`, so the kernel spreads connections over both cores.
 *
 * Processes rather than Web Workers, because transformers.js inside a Deno
 * Worker takes its browser backend, which cannot load onnxruntime-node. Each
 * worker is this same program started with exactly the permissions of
 * `deno task start` (defined once in `lib/permissions.ts`), or the compiled binary itself. A worker notices the primary's death by the end of its
 * stdin and stops; the primary restarts a worker that dies, with backoff.
 */
import { logger } from "../lib/log.ts";
import { selfCommand } from "../lib/self_command.ts";

const log = logger("workers");

/** Names the worker to a `serve` process started by the primary (`Config.worker`). */
const WORKER_ENV = "NEWSINTEL_WORKER";

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** A worker that ran this long before dying is restarted without waiting. */
const HEALTHY_RUN_MS = 60_000;

export interface WorkerPool {
  /** Sends SIGTERM to every worker and waits for them (SIGKILL after `graceMs`). */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts workers 1..`count` running `serve SERVE_ARGS`, and keeps them running; `net`
 * limits their network access as the primary's is (see `cli/serve_scope.ts`).
 */
export async function startWorkers(
  count: number,
  serveArgs: string[],
  options: { net?: readonly string[] } = {},
): Promise<WorkerPool> {
  const { program, args, cwd } = await selfCommand(["serve", ...serveArgs], options);
  let stopping = false;
  const running = new Map<number, { child: Deno.ChildProcess; done: Promise<void> }>();

  // `delayMs`: how long this worker waited before this start (0 the first time).
  const spawn = (n: number, delayMs: number) => {
    const child = new Deno.Command(program, {
      args,
      cwd,
      env: { [WORKER_ENV]: String(n) },
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const started = Date.now();
    log.info("worker {n} started (pid {pid})", { n, pid: child.pid });
    const done = child.status.then((status) => {
      running.delete(n);
      if (stopping) return;
      const ranMs = Date.now() - started;
      const next = ranMs > HEALTHY_RUN_MS
        ? RESTART_MIN_MS
        : Math.min(RESTART_MAX_MS, Math.max(RESTART_MIN_MS, delayMs * 2));
      log.warn("worker {n} exited ({reason}); restarting in {seconds}s", {
        n,
        reason: status.signal ? `signal ${status.signal}` : `code ${status.code}`,
        seconds: next / 1000,
      });
      setTimeout(() => {
        if (!stopping) spawn(n, next);
      }, next);
    });
    running.set(n, { child, done });
  };
  for (let n = 1; n <= count; n++) spawn(n, 0);

  return {
    async stop(graceMs) {
      stopping = true;
      await Promise.all([...running.values()].map(async ({ child, done }) => {
        try {
          child.kill("SIGTERM");
        } catch {
          return; // already gone
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            try {
              child.kill("SIGKILL");
            } catch { /* exited meanwhile */ }
            resolve();
          }, graceMs);
        });
        await Promise.race([done, killed]);
        clearTimeout(timer);
        await done;
      }));
    },
  };
}

/** In a worker: resolves when the primary is gone (its end of our stdin closed). */
export async function primaryGone(): Promise<void> {
  try {
    for await (const _ of Deno.stdin.readable) { /* the primary never writes */ }
  } catch { /* closed */ }
}
