/**
 * `newsintel serve` as operators run it: a subprocess started with exactly the
 * permissions of `deno task start`, put through a database that is late, a
 * database that goes away, `kill -9` in the middle of a batch, and SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { freshSchema } from "../testing/db/test_db.ts";
import { baseEnv, freePort, PROJECT_ROOT } from "../testing/cli/test_run.ts";
import { startFlags } from "../lib/self_command.ts";

const TEST_DB_URL = Deno.env.get("TEST_DB_URL");
const KEY = "serve-test-key-0001";

interface Server {
  url: string;
  child: Deno.ChildProcess;
  stderr(): string;
  dir: string;
}

async function startServer(env: Record<string, string>, reuseDir?: string): Promise<Server> {
  // Inside the project's tmp/, which `deno task start` may write to.
  const dir = reuseDir ??
    join(PROJECT_ROOT, "tmp", `serve-test-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(dir, { recursive: true });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await startFlags(), "main.ts", "serve"],
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: {
      ...baseEnv(),
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: join("tmp", dir.split("/").at(-1)!),
      MODEL_DIR: join("tmp", dir.split("/").at(-1)!, "models"),
      SEED_ON_EMPTY: "false",
      API_KEY: KEY,
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const decoder = new TextDecoder();
  child.stderr.pipeTo(new WritableStream({ write: (c) => void (err += decoder.decode(c)) })).catch(
    () => {},
  );
  return { url: `http://127.0.0.1:${port}`, child, stderr: () => err, dir };
}

/** Polls until `check` passes (the deadline only bounds a broken run; nothing is timed). */
async function eventually(
  check: () => Promise<boolean>,
  what: string,
  server?: Server,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}\n${server?.stderr().slice(-3000) ?? ""}`);
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return res.status;
}

/** A loopback TCP proxy to PostgreSQL that the test can take down and bring back. */
class Proxy {
  #listener: Deno.Listener | null = null;
  #conns = new Set<Deno.Conn>();
  readonly port = freePort();
  constructor(readonly target: { hostname: string; port: number }) {}
  up(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    (async () => {
      for await (const conn of this.#listener!) {
        try {
          const upstream = await Deno.connect(this.target);
          this.#conns.add(conn).add(upstream);
          const close = () => {
            for (const c of [conn, upstream]) {
              try {
                c.close();
              } catch { /* already closed */ }
              this.#conns.delete(c);
            }
          };
          conn.readable.pipeTo(upstream.writable).catch(() => {}).finally(close);
          upstream.readable.pipeTo(conn.writable).catch(() => {}).finally(close);
        } catch {
          conn.close();
        }
      }
    })().catch(() => {});
  }
  down(): void {
    this.#listener?.close();
    this.#listener = null;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }
}

async function stop(server: Server): Promise<Deno.CommandStatus> {
  server.child.kill("SIGTERM");
  const result = await server.child.status;
  await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  return result;
}

Deno.test({
  name: "serve waits for a late database, answers 503 while it is gone, and recovers (postgres)",
  ignore: !TEST_DB_URL,
  async fn() {
    const schema = await freshSchema(TEST_DB_URL!, "serve");
    const target = new URL(TEST_DB_URL!);
    const proxy = new Proxy({ hostname: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(schema.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const server = await startServer({ DB_URL: proxied.toString() });
    try {
      // The database is not up yet: alive, not ready, and it says why.
      await eventually(
        async () => (await status(`${server.url}/health`)) === 200,
        "liveness",
        server,
      );
      assert.equal(await status(`${server.url}/ready`), 503);
      assert.equal(await status(`${server.url}/v1/articles`), 503);
      await eventually(
        () => Promise.resolve(/database not reachable/.test(server.stderr())),
        "the retry log line",
        server,
      );

      proxy.up();
      await eventually(
        async () => (await status(`${server.url}/ready`)) === 200,
        "readiness",
        server,
      );
      const post = () =>
        status(`${server.url}/v1/articles`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": KEY },
          body: JSON.stringify({
            title: `Fault test ${crypto.randomUUID()}`,
            body: "Shares rose.",
          }),
        });
      assert.equal(await post(), 201);

      // The database goes away while serving: 503 with Retry-After, the process stays up.
      proxy.down();
      const res = await fetch(`${server.url}/v1/articles`, { headers: { "x-api-key": KEY } });
      assert.equal(res.status, 503);
      assert.ok(res.headers.get("retry-after"));
      assert.equal((await res.json()).error.code, "serviceUnavailable");
      assert.equal(await status(`${server.url}/health`), 200);
      assert.equal(await status(`${server.url}/ready`), 503);

      // It comes back by itself.
      proxy.up();
      await eventually(
        async () =>
          (await status(`${server.url}/v1/articles`, { headers: { "x-api-key": KEY } })) === 200,
        "recovery",
        server,
      );
      assert.equal(await post(), 201);
    } finally {
      proxy.down();
      const result = await stop(server);
      assert.equal(result.code, 0, server.stderr().slice(-2000));
      await schema.drop();
    }
  },
});

Deno.test({
  name:
    "kill -9 during a batch leaves it whole or absent; re-sending stores each article once (postgres)",
  ignore: !TEST_DB_URL,
  async fn() {
    const schema = await freshSchema(TEST_DB_URL!, "serve");
    const batch = {
      articles: Array.from({ length: 500 }, (_, i) => ({
        externalId: `kill9-${i}`,
        title: `Kill test article ${i}`,
        body: `Body ${i}. Markets moved and the match ended in a draw.`,
      })),
    };
    const send = (url: string) =>
      fetch(`${url}/v1/articles`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify(batch),
      });
    const count = async () => {
      const sql = postgres(schema.url, { max: 1, onnotice: () => {} });
      const [{ n }] = await sql`SELECT count(*)::int AS n FROM articles`;
      await sql.end();
      return n as number;
    };
    let server = await startServer({ DB_URL: schema.url });
    try {
      await eventually(
        async () => (await status(`${server.url}/ready`)) === 200,
        "readiness",
        server,
      );
      const pending = send(server.url).then((r) => r.body?.cancel(), () => {});
      await new Promise((r) => setTimeout(r, 5)); // the batch is in flight (or not: either must hold)
      server.child.kill("SIGKILL");
      await server.child.status;
      await pending;
      const dir = server.dir;
      const stored = await count();
      assert.ok(stored === 0 || stored === 500, `a batch was half-written: ${stored} of 500`);

      // The same data and model directories, as a restarted container would have.
      server = await startServer({ DB_URL: schema.url }, dir);
      await eventually(
        async () => (await status(`${server.url}/ready`)) === 200,
        "readiness after restart",
        server,
      );
      const again = await send(server.url);
      assert.ok(again.status === 200 || again.status === 201);
      const body = await again.json();
      assert.equal(body.created + body.duplicates, 500);
      assert.equal(await count(), 500);
    } finally {
      const result = await stop(server);
      assert.equal(result.code, 0);
      await schema.drop();
    }
  },
});

Deno.test("SIGTERM stops the server cleanly with exit code 0", async () => {
  const server = await startServer({});
  await eventually(async () => (await status(`${server.url}/ready`)) === 200, "readiness", server);
  const result = await stop(server);
  assert.equal(result.code, 0, server.stderr().slice(-2000));
  assert.match(server.stderr(), /SIGTERM: finishing in-flight requests/);
  assert.match(server.stderr(), /stopped/);
});

/** Pids of processes whose command line contains every one of `parts`. */
function processesWith(...parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0");
      if (parts.every((p) => cmdline.includes(p))) found.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

Deno.test("first start trains in a separate process, which SIGTERM stops too", async () => {
  const server = await startServer({});
  // The training process is given the absolute path.
  const modelDir = join(PROJECT_ROOT, "tmp", server.dir.split("/").at(-1)!, "models");
  let trainer: number | undefined;
  try {
    await eventually(
      () => Promise.resolve((trainer = processesWith("train", "--out", modelDir)[0]) > 0),
      "the training process",
      server,
    );
    assert.match(server.stderr(), /no active model: training .* in a separate process/);
  } finally {
    server.child.kill("SIGTERM");
    const result = await server.child.status;
    assert.equal(result.code, 0, server.stderr().slice(-2000));
  }
  try {
    await eventually(
      () => Promise.resolve(!processAlive(trainer!)),
      "the training process to stop",
      server,
    );
    // Stopped, not finished: it wrote no model.
    const written = await Array.fromAsync(Deno.readDir(modelDir))
      .catch((e) => e instanceof Deno.errors.NotFound ? [] : Promise.reject(e));
    assert.deepEqual(written.map((e) => e.name).filter((name) => !name.startsWith(".")), []);
  } finally {
    await Deno.remove(server.dir, { recursive: true });
  }
});

/** Which process answers `/health` on a fresh connection (the kernel picks one per connection). */
async function answeringWorker(url: string): Promise<number> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    return (await (await fetch(`${url}/health`, { client })).json()).worker;
  } finally {
    client.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "WORKERS=2 serves from two processes, restarts a dead worker, sums metrics, stops together (postgres)",
  ignore: !TEST_DB_URL,
  async fn() {
    const schema = await freshSchema(TEST_DB_URL!, "serve");
    const server = await startServer({ DB_URL: schema.url, WORKERS: "2" });
    const workerPid = () => {
      const pids = [...server.stderr().matchAll(/worker 1 started \(pid (\d+)\)/g)];
      return Number(pids.at(-1)?.[1]);
    };
    const seen = new Set<number>();
    const bothAnswer = async () => {
      seen.add(await answeringWorker(server.url));
      return seen.size === 2;
    };
    try {
      await eventually(bothAnswer, "answers from the primary and worker 1", server);
      assert.deepEqual([...seen].sort(), [0, 1]);

      // Counters in /metrics are the sum over both processes.
      const fresh = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      const classify = async () => {
        const res = await fetch(`${server.url}/v1/classify`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": KEY },
          body: JSON.stringify({ text: "The striker scored twice in the cup final." }),
          client: fresh,
        });
        await res.body?.cancel();
        return res.status;
      };
      for (let i = 0; i < 20; i++) assert.equal(await classify(), 200);
      fresh.close();
      await eventually(
        async () => {
          const m = await (await fetch(`${server.url}/metrics`)).json();
          const route = m.routes.find((r: { route: string }) => r.route === "/v1/classify");
          return m.processes === 2 && route?.count === 20;
        },
        "metrics totals from both processes",
        server,
      );

      // A worker that dies is started again.
      const first = workerPid();
      Deno.kill(first, "SIGKILL");
      await eventually(
        () => Promise.resolve(workerPid() !== first && !processAlive(first)),
        "a new worker 1",
        server,
      );
      seen.clear();
      await eventually(bothAnswer, "answers from the restarted worker", server);
    } finally {
      const worker = workerPid();
      const result = await stop(server);
      assert.equal(result.code, 0, server.stderr().slice(-2000));
      assert.equal(processAlive(worker), false, "the worker outlived the primary");
      await schema.drop();
    }
  },
});

Deno.test("WORKERS > 1 on the embedded database is refused with the reason", async () => {
  const server = await startServer({ WORKERS: "2" });
  const result = await server.child.status;
  await Deno.remove(server.dir, { recursive: true }).catch(() => {});
  assert.notEqual(result.code, 0);
  assert.match(server.stderr(), /WORKERS=2 needs PostgreSQL/);
});
