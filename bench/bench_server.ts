/**
 * The server the HTTP benchmarks load: `newsintel serve` in a subprocess with the flags of
 * `deno task start`, and what the benchmarks read of it from /proc (resident set, CPU time).
 */
import { join } from "node:path";
import { baseEnv, freePort } from "../testing/cli/test_run.ts";
import { startFlags } from "../lib/self_command.ts";

export interface Server {
  url: string;
  /** The data directory (embedded database, models, logs). */
  dir: string;
  /** The server process's resident set now, in MB. */
  rssMb(): number;
  /** CPU time (user and system) the server's processes have used so far, in ms. */
  cpuMs(): number;
  /** Stops the server; `keep` leaves its data directory for a restart. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Starts `newsintel serve` as a subprocess with the flags of `deno task start`, on a
 * fresh embedded database in the project's tmp/ (or on `dir`, one a stopped server
 * kept), and waits until `/ready` answers. `root` runs another checkout's code (a baseline).
 */
export async function startServer(
  env: Record<string, string> = {},
  dir?: string,
  options: { root?: string } = {},
): Promise<Server> {
  const root = options.root ?? join(import.meta.dirname!, "..");
  await Deno.mkdir(join(root, "tmp"), { recursive: true });
  dir ??= await Deno.makeTempDir({ dir: join(root, "tmp"), prefix: "newsintel-load-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await startFlags(), "main.ts", "serve"],
    cwd: root,
    clearEnv: true,
    env: {
      ...baseEnv({ vectors: "package" }),
      DB_URL: `pglite://${join(dir, "db")}`,
      DATA_DIR: dir,
      MODEL_DIR: join(dir, "models"),
      SEED_ON_EMPTY: "false",
      // Measure the service, not the per-key limiter.
      RATE_LIMIT_PER_MINUTE: "0",
      HOST: "127.0.0.1",
      PORT: String(port),
      API_KEYS: "bench=bench-load-key-0001",
      // BENCH_HF_MODEL=DIR serves a model trained before instead of training one.
      ...(Deno.env.get("BENCH_HF_MODEL") ? { HF_MODEL: Deno.env.get("BENCH_HF_MODEL")! } : {}),
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The server's output goes to a file, as it would under a process manager: a reader
  // decoding thousands of access-log lines a second here would take CPU from the server.
  const logs = [join(dir, "stdout.log"), join(dir, "stderr.log")];
  const copied = Promise.all([child.stdout, child.stderr].map(async (stream, i) => {
    const file = await Deno.open(logs[i], { write: true, create: true, truncate: true });
    await stream.pipeTo(file.writable).catch(() => {});
  }));
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const url = `http://127.0.0.1:${port}`;
  const stop = async ({ keep = false } = {}) => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
      await status;
      clearTimeout(timer);
    }
    await copied;
    if (!keep) await Deno.remove(dir, { recursive: true });
  };
  // The serving process: `serve` started with open network access runs a copy of itself
  // with access scoped (cli/serve_scope.ts), so the largest process of the tree serves.
  const rssMb = () => Math.max(...processTree(child.pid).map(rssOf));
  const cpuMs = () => processTree(child.pid).reduce((ms, pid) => ms + cpuOf(pid), 0);
  // A first start trains the default model: a minute, or several on a busy machine.
  const deadline = Date.now() + 600_000;
  while (true) {
    if (exited || Date.now() > deadline) {
      const output = (await Promise.all(logs.map((l) => Deno.readTextFile(l).catch(() => ""))))
        .map((text) => text.slice(-4000)).join("\n");
      await stop();
      throw new Error(`the server did not start:\n${output}`);
    }
    try {
      // Ready, not merely alive: the first start trains the default model meanwhile.
      const res = await fetch(`${url}/ready`);
      await res.body?.cancel();
      if (res.ok) return { url, dir, rssMb, cpuMs, stop };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process and its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of Deno.readDirSync(`/proc/${out[i]}/task`)) {
        const children = Deno.readTextFileSync(`/proc/${out[i]}/task/${task.name}/children`);
        out.push(...children.split(" ").filter(Boolean).map(Number));
      }
    } catch { /* the process is gone */ }
  }
  return out;
}

/** A process's CPU time (user and system) in ms (0 when it is gone); Linux ticks are 10 ms. */
function cpuOf(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU time (user and system) every process named `postgres` on this machine has used so far,
 * in ms: a local PostgreSQL server's backends and its own workers (Linux /proc).
 */
export function postgresCpuMs(): number {
  let ms = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() !== "postgres") continue;
    } catch {
      continue;
    }
    ms += cpuOf(Number(entry.name));
  }
  return ms;
}

/** A process's resident set in MB (0 when it is gone). */
function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
