// deno-lint-ignore-file no-console
// HTTP load: `GET /health` and `POST /v1/classify` requests/s and latency percentiles
// from a loopback load generator against `newsintel serve` in a subprocess (embedded
// database in a temp dir, SEED_ON_EMPTY=false, a free port), and the server's resident
// set after the classify load. The generator is `wrk` when installed
// (`apt-get install -y wrk`); otherwise a small concurrent fetch loop in Deno, clearly
// labelled in the result (it is slower than wrk and shares a core with nothing else
// only when the machine has cores to spare, so its figures are a floor).
//
// `loadTest()` is reusable for other endpoints, e.g. `POST /v1/classify`:
//   await loadTest({ url, method: "POST", body, headers, connections: 32, seconds: 10 })
//
//   deno run --allow-all bench/http_load.ts

import { join } from "node:path";
import { baseEnv, freePort } from "../testing/cli/test_run.ts";
import { startFlags } from "../lib/self_command.ts";
import { freshSchema } from "../testing/db/test_db.ts";

export interface LoadTestOptions {
  url: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** wrk threads (default: min(connections, 2)). */
  threads?: number;
  /** "auto" (default) uses wrk when it is installed. */
  tool?: "auto" | "wrk" | "fetch";
}

export interface LoadTestResult {
  tool: string;
  url: string;
  method: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
  /** Responses other than 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  errors: number;
}

/** True when a `wrk` binary can be started. */
export async function hasWrk(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return true;
  } catch {
    return false;
  }
}

/** Runs a load test with wrk when available (or asked for), else with the fetch loop. */
export async function loadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const tool = options.tool ?? "auto";
  if (tool === "wrk" || (tool === "auto" && await hasWrk())) return await wrkLoad(options);
  const result = await fetchLoad(options);
  if (tool === "auto") result.tool += " (fallback: wrk not installed)";
  return result;
}

/** A Lua long-bracket string literal that cannot be closed by its content. */
function luaString(s: string): string {
  let eq = "";
  while (s.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[${s}]${eq}]`;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`wrk printed an unknown duration: ${text}`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]] * 1000) / 1000;
}

/** Parses the summary `wrk --latency` prints. */
export function parseWrkOutput(out: string): Omit<LoadTestResult, "tool" | "url" | "method"> {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const total = /^\s*(\d+) requests in ([\d.]+\w+),/m.exec(out);
  const threads = /(\d+) threads and (\d+) connections/.exec(out);
  if (!rps || !total || !threads) throw new Error(`cannot read wrk's output:\n${out}`);
  const pct = (p: number) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+\\w+)`, "m").exec(out);
    if (!m) throw new Error(`wrk printed no ${p}% latency (was --latency given?)`);
    return durationMs(m[1]);
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    connections: Number(threads[2]),
    seconds: durationMs(total[2]) / 1000,
    requests: Number(total[1]),
    requestsPerSecond: Math.round(Number(rps[1])),
    latencyMs: { p50: pct(50), p75: pct(75), p90: pct(90), p99: pct(99) },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
  };
}

async function wrkLoad(o: LoadTestOptions): Promise<LoadTestResult> {
  const method = o.method ?? "GET";
  const threads = o.threads ?? Math.min(o.connections, 2);
  const args = ["-t", String(threads), "-c", String(o.connections), "-d", `${o.seconds}s`];
  args.push("--latency", "--timeout", "10s");
  let dir: string | undefined;
  if (method !== "GET" || o.body !== undefined || o.headers) {
    // wrk takes a method and body only from a Lua script; the body is read from a file so
    // any bytes (JSON, non-ASCII) arrive unchanged.
    dir = await Deno.makeTempDir({ prefix: "newsintel-wrk-" });
    const lua = [`wrk.method = ${luaString(method)}`];
    if (o.body !== undefined) {
      await Deno.writeTextFile(join(dir, "body"), o.body);
      lua.push(`local f = assert(io.open(${luaString(join(dir, "body"))}, "rb"))`);
      lua.push(`wrk.body = f:read("*a")`, "f:close()");
    }
    for (const [name, value] of Object.entries(o.headers ?? {})) {
      // The spaces matter: `t[[[x]]]` would parse as a call with a long string.
      lua.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
    }
    await Deno.writeTextFile(join(dir, "request.lua"), lua.join("\n") + "\n");
    args.push("-s", join(dir, "request.lua"));
  }
  args.push(o.url);
  try {
    const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}${text}`);
    }
    return { tool: `wrk (${threads} threads)`, url: o.url, method, ...parseWrkOutput(text) };
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 1000) / 1000;
}

/** `connections` concurrent fetch loops for `seconds`; slower than wrk (same runtime as the client). */
async function fetchLoad(o: LoadTestOptions): Promise<LoadTestResult> {
  const method = o.method ?? "GET";
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: o.connections });
  const start = performance.now();
  const deadline = start + o.seconds * 1000;
  try {
    await Promise.all(Array.from({ length: o.connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const res = await fetch(o.url, { method, body: o.body, headers: o.headers, client });
          await res.arrayBuffer();
          if (res.status >= 400) non2xx++;
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }));
  } finally {
    client.close();
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    tool: "deno fetch loop",
    url: o.url,
    method,
    connections: o.connections,
    seconds: Math.round(seconds * 100) / 100,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: percentile(latencies, 50),
      p75: percentile(latencies, 75),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
    },
    non2xx,
    errors,
  };
}

export interface Server {
  url: string;
  /** The data directory (embedded database, models, logs). */
  dir: string;
  /** The server process's resident set now, in MB. */
  rssMb(): number;
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
      if (res.ok) return { url, dir, rssMb, stop };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Seconds of classify load before the measured run. */
const WARM_UP_SECONDS = 5;

/** 25 words, an AG News style lead. */
export const CLASSIFY_TEXT = "Apple shares rose sharply on Tuesday after the company reported " +
  "record quarterly iPhone sales in China and raised its forecast for the holiday season";

export async function main(): Promise<Record<string, unknown>> {
  const connections = 32;
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
  const tool = (Deno.env.get("BENCH_LOAD_TOOL") ?? "auto") as LoadTestOptions["tool"];
  const results: Record<string, unknown> = { cores: navigator.hardwareConcurrency };
  // Access logs on (LOG_LEVEL=info, the default; the server's output goes to a file, not read by this
  // process) and off, so the cost of a log line per request shows; then two processes
  // (WORKERS=2, which needs PostgreSQL) with the log on.
  const pg = await freshSchema(
    Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
    "bench_http",
  );
  // A first start creates the embedded database and trains the default model; the
  // measured servers are later starts on that data directory, as a running service is.
  const first = await startServer();
  await first.stop({ keep: true });
  for (
    const [label, env, dir] of [
      ["accessLogOn", {}, first.dir],
      ["accessLogOff", { LOG_LEVEL: "warning" }, first.dir],
      ["workers2", { DB_URL: pg.url, WORKERS: "2" }, undefined],
    ] as const
  ) {
    const server = await startServer(env, dir);
    try {
      await loadTest({ url: `${server.url}/health`, connections, seconds: 1, tool }); // warm-up
      results[`health_${label}`] = await loadTest({
        url: `${server.url}/health`,
        connections,
        seconds,
        tool,
      });
      // One ~25-word text per request, as a newsroom tagging articles one by one would send.
      const classify = {
        url: `${server.url}/v1/classify`,
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "bench-load-key-0001" },
        body: JSON.stringify({ text: CLASSIFY_TEXT }),
        connections,
        tool,
      };
      // Steady state, as a service that has been taking traffic is: the first seconds
      // under load go to compiling the hot paths, with latencies several times higher.
      await loadTest({ ...classify, seconds: WARM_UP_SECONDS });
      results[`classify_${label}`] = await loadTest({ ...classify, seconds });
      // With WORKERS=2, the first of the two processes.
      results[`rssMbAfterClassify_${label}`] = server.rssMb();
    } finally {
      await server.stop({ keep: dir !== undefined });
    }
  }
  await Deno.remove(first.dir, { recursive: true });
  await pg.drop();
  return results;
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));

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

/** A process's resident set in MB (0 when it is gone). */
function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
