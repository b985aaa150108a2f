/**
 * `newsintel serve` as a deployment starts it: a first start from a baked model
 * (`BOOTSTRAP_MODEL_DIR`) that serves without training, checked with the same smoke
 * script CI runs against the image (`scripts/smoke.sh`), and `WORKERS=auto`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freshSchema } from "../testing/db/test_db.ts";
import { startFlags } from "../lib/self_command.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { trainModelDir } from "../services/training.ts";
import { baseEnv, freePort, PROJECT_ROOT } from "../testing/cli/test_run.ts";

const TEST_DB_URL = Deno.env.get("TEST_DB_URL");
const KEY = "deploy-test-key-0001";

interface Server {
  url: string;
  child: Deno.ChildProcess;
  stderr(): string;
}

/** A folder under the project's tmp/ (which `deno task start` may write) and its relative name. */
async function workDir(): Promise<{ abs: string; rel: string }> {
  const rel = join("tmp", `deploy-test-${crypto.randomUUID().slice(0, 8)}`);
  const abs = join(PROJECT_ROOT, rel);
  await Deno.mkdir(abs, { recursive: true });
  return { abs, rel };
}

/** What an image build leaves: `train --out DIR` with one (toy) model in it. */
async function bake(dir: { abs: string; rel: string }): Promise<{ out: string; version: string }> {
  const manifest = await trainModelDir(toyCorpus(300, 7), {
    ...TOY_TRAINING,
    seed: 1,
    name: "baked",
    modelDir: join(dir.abs, "baked"),
  });
  return { out: join(dir.rel, "baked"), version: manifest.version };
}

function startServer(dir: string, env: Record<string, string>): Promise<Server> {
  return startFlags().then((flags) => {
    const port = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, "main.ts", "serve"],
      cwd: PROJECT_ROOT,
      clearEnv: true,
      env: {
        ...baseEnv(),
        HOST: "127.0.0.1",
        PORT: String(port),
        DATA_DIR: dir,
        MODEL_DIR: join(dir, "models"),
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
    child.stderr.pipeTo(new WritableStream({ write: (c) => void (err += decoder.decode(c)) }))
      .catch(() => {});
    return { url: `http://127.0.0.1:${port}`, child, stderr: () => err };
  });
}

async function stop(server: Server): Promise<Deno.CommandStatus> {
  server.child.kill("SIGTERM");
  return await server.child.status;
}

/** Polls `/ready` (the deadline only bounds a broken run; nothing is timed). */
async function untilReady(server: Server): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${server.url}/ready`).then(
      (r) => (r.body?.cancel(), r.ok),
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`never ready:\n${server.stderr().slice(-3000)}`);
}

/** Runs the smoke script against `url` with `key`. */
async function smoke(url: string, key: string) {
  const out = await new Deno.Command("bash", {
    args: [join(PROJECT_ROOT, "scripts", "smoke.sh"), url],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", API_KEY: key, SMOKE_WAIT_SECONDS: "90" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("a first start with BOOTSTRAP_MODEL_DIR serves the baked model without training, and passes the smoke script", async () => {
  const dir = await workDir();
  try {
    const baked = await bake(dir);
    const server = await startServer(dir.rel, { BOOTSTRAP_MODEL_DIR: baked.out });
    try {
      // Creating the embedded database can take long on a busy machine; the script's own
      // wait is for a service that is nearly up.
      await untilReady(server);
      const passed = await smoke(server.url, KEY);
      assert.equal(passed.code, 0, `${passed.stdout}\n${passed.stderr}\n${server.stderr()}`);
      assert.match(passed.stdout, new RegExp(`classify -> \\w+ \\(model ${baked.version}\\)`));
      assert.match(passed.stdout, /smoke: passed/);
      assert.match(server.stderr(), /activated the baked model/);
      assert.doesNotMatch(server.stderr(), /training/i);

      const refused = await smoke(server.url, "not-the-key-0000");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /smoke: FAIL: POST \/v1\/classify with the key/);
    } finally {
      const result = await stop(server);
      assert.equal(result.code, 0, server.stderr().slice(-2000));
    }
    // The model was copied into MODEL_DIR: a restart without the baked folder still serves it.
    const entries = await Array.fromAsync(Deno.readDir(join(dir.abs, "models")));
    assert.deepEqual(entries.map((e) => e.name).filter((n) => !n.startsWith(".")), [
      baked.version,
    ]);
  } finally {
    await Deno.remove(dir.abs, { recursive: true });
  }
});

Deno.test("a BOOTSTRAP_MODEL_DIR the process may not read stops the start, naming the flag", async () => {
  const dir = await workDir();
  try {
    const server = await startServer(dir.rel, { BOOTSTRAP_MODEL_DIR: "/etc" });
    const result = await server.child.status;
    assert.notEqual(result.code, 0);
    assert.match(server.stderr(), /BOOTSTRAP_MODEL_DIR=\/etc is outside .* --allow-read=\/etc/);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.abs)), [], "no database was created");
  } finally {
    await Deno.remove(dir.abs, { recursive: true });
  }
});

Deno.test("WORKERS=auto on the embedded database is refused with the reason", async () => {
  const dir = await workDir();
  try {
    const server = await startServer(dir.rel, { WORKERS: "auto" });
    const result = await server.child.status;
    assert.notEqual(result.code, 0);
    assert.match(server.stderr(), /WORKERS=auto needs PostgreSQL/);
  } finally {
    await Deno.remove(dir.abs, { recursive: true });
  }
});

Deno.test({
  name: "WORKERS=auto on PostgreSQL serves from one process per core (postgres)",
  ignore: !TEST_DB_URL,
  async fn() {
    const dir = await workDir();
    const schema = await freshSchema(TEST_DB_URL!, "deploy");
    const baked = await bake(dir);
    const server = await startServer(dir.rel, {
      DB_URL: schema.url,
      WORKERS: "auto",
      BOOTSTRAP_MODEL_DIR: baked.out,
    });
    try {
      const cores = navigator.hardwareConcurrency;
      const deadline = Date.now() + 90_000;
      let processes = 0;
      while (processes !== cores && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        processes = await fetch(`${server.url}/metrics`).then((r) => r.json())
          .then((m) => m.processes, () => 0);
      }
      assert.equal(processes, cores, server.stderr().slice(-3000));
      if (cores > 1) assert.match(server.stderr(), new RegExp(`worker ${cores - 1} started`));
    } finally {
      const result = await stop(server);
      assert.equal(result.code, 0, server.stderr().slice(-2000));
      await schema.drop();
      await Deno.remove(dir.abs, { recursive: true });
    }
  },
});
