/**
 * The real server for browser tests and benchmarks: `main.ts serve` in a process of
 * its own with the scoped permissions it runs with, on PGlite in a temporary data
 * directory, stopped and started again on the same port and data (PGlite's data
 * directory is one process's at a time, so a restart stops first).
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface TestServer {
  base: string;
  port: number;
  dir: string;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once ready. */
  start(): Promise<void>;
  /** Stops it and removes the data directory. */
  close(): Promise<void>;
}

/**
 * Starts `main.ts serve` with `API_KEYS=keys` on `port` and resolves once `/ready`
 * answers. The first start trains the model (minutes on a busy machine; with
 * `E2E_BOOTSTRAP_MODEL_DIR` it activates the model there instead); a restart takes
 * seconds.
 */
export async function startServer(
  options: { keys: string; port: number; env?: Record<string, string> },
): Promise<TestServer> {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-e2e-" });
  const base = `http://127.0.0.1:${options.port}`;
  const bootstrap = Deno.env.get("E2E_BOOTSTRAP_MODEL_DIR");
  let child: Deno.ChildProcess | null = null;
  const spawn = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        "--allow-read",
        `--allow-write=${dir}`,
        // First start trains the model in a `deno run ... train` process of its own.
        "--allow-run=deno",
        join(root, "main.ts"),
        "serve",
      ],
      cwd: root,
      env: {
        DATA_DIR: dir,
        MODEL_DIR: join(dir, "models"),
        API_KEYS: options.keys,
        SEED_ON_EMPTY: "false",
        REVIEW_THRESHOLD: "1",
        REVIEW_AUDIT_RATE: "0",
        PORT: String(options.port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warning",
        // A model trained ahead of time spares the first start its training (optional).
        ...(bootstrap ? { BOOTSTRAP_MODEL_DIR: bootstrap } : {}),
        ...options.env,
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
  const stop = async () => {
    if (!child) return;
    child.kill("SIGTERM");
    await child.status;
    child = null;
  };
  const start = async () => {
    child = spawn();
    const exited = child.status.then((s) => s);
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${base}/ready`).then((r) => (r.body?.cancel(), r.ok), () => false);
      if (ok) return;
      const done = await Promise.race([exited, new Promise((r) => setTimeout(r, 300, null))]);
      if (done) throw new Error(`the server exited (${JSON.stringify(done)}) before it was ready`);
    }
    await stop();
    throw new Error("the server did not become ready within 300 s");
  };
  const server: TestServer = {
    base,
    port: options.port,
    dir,
    stop,
    start,
    async close() {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  try {
    await start();
  } catch (e) {
    await server.close();
    throw e;
  }
  return server;
}

/** A `/v1` call with `key`; throws on an error status, naming it. */
export async function apiJson(
  base: string,
  key: string,
  path: string,
  init: RequestInit = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { "content-type": "application/json", "x-api-key": key, ...init.headers },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Ingests `n` (at most 190) short articles over four topics and makes sure each is in
 * the review queue (REVIEW_THRESHOLD=1 queues most; the rest are queued by hand).
 * Returns the queue's size.
 */
export async function queueArticles(base: string, key: string, n: number): Promise<number> {
  const topics = [
    "The striker scored twice as the home side won the league title on Sunday.",
    "Shares fell after the bank reported lower quarterly profits and rising costs.",
    "Researchers released a new open-source chip design and software tools.",
    "The prime minister met foreign leaders to discuss the ceasefire talks.",
  ];
  const articles = Array.from({ length: n }, (_, i) => ({
    title: `Desk story ${i}: ${topics[i % 4].split(" ").slice(0, 5).join(" ")}`,
    body: `${topics[i % 4]} ${topics[(i + 1) % 4]} Item ${i}.`,
    source: "wire",
    publishedAt: new Date(Date.UTC(2022, i % 12, 1 + (i % 27), 12)).toISOString(),
  }));
  const ingest = await apiJson(base, key, "/v1/articles", {
    method: "POST",
    body: JSON.stringify({ articles }),
  });
  const queued = await apiJson(base, key, `/v1/review/items?limit=${Math.min(200, n + 10)}`);
  const have = new Set(queued.items.map((i: { articleId: number }) => i.articleId));
  for (const { id } of ingest.items) {
    if (have.has(id)) continue;
    await apiJson(base, key, "/v1/review/items", {
      method: "POST",
      body: JSON.stringify({ articleId: id }),
    });
  }
  return (await apiJson(base, key, "/v1/review/stats")).total;
}
