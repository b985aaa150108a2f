/**
 * Two `newsintel serve` processes on one PostgreSQL database, each with its own
 * MODEL_DIR, as two pods without a shared volume: a model registered and promoted
 * through one side is served by the other, fetched from the database's model store;
 * with the stored copy corrupted, the other keeps its model and `/ready` says why.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { freshSchema } from "../testing/db/test_db.ts";
import { bundleModel } from "../ml/mod.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { startFlags } from "../lib/self_command.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { trainModelDir } from "../services/training.ts";
import { baseEnv, freePort, newsintel, PROJECT_ROOT } from "../testing/cli/test_run.ts";

const TEST_DB_URL = Deno.env.get("TEST_DB_URL");
const KEY = "store-test-key-0001";

interface Server {
  url: string;
  child: Deno.ChildProcess;
  stderr(): string;
}

/** `serve` with the permissions of `deno task start` (see `startArgs`). */
function startServer(env: Record<string, string>): Server {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(startArgs ?? []), "main.ts", "serve"],
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: {
      ...baseEnv(),
      HOST: "127.0.0.1",
      PORT: String(port),
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
  return { url: `http://127.0.0.1:${port}`, child, stderr: () => err };
}

let startArgs: string[] | undefined;

/** Polls until `check` passes (the deadline only bounds a broken run; nothing is timed). */
async function eventually(check: () => Promise<boolean>, what: string, server?: Server) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = (server?.stderr() ?? "").split("\n").filter((l) => !/·http: /.test(l));
  throw new Error(`gave up waiting for ${what}\n${log.slice(-40).join("\n")}`);
}

async function servedVersion(server: Server): Promise<string | null> {
  const res = await fetch(`${server.url}/v1/classify`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEY },
    body: JSON.stringify({ text: "a goal in the last minute" }),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    return null;
  }
  return (await res.json()).model.version;
}

/** A toy model trained here and packed as `newsintel bundle` packs one. */
async function toyBundle(root: string, seed: number): Promise<{ file: string; version: string }> {
  const manifest = await trainModelDir(toyCorpus(300, 7), {
    ...TOY_TRAINING,
    seed,
    name: "toy",
    modelDir: join(root, `train-${seed}`),
  });
  const file = join(root, `toy-${seed}.tar.gz`);
  await bundleModel(join(root, `train-${seed}`, manifest.version), file);
  return { file, version: manifest.version };
}

Deno.test({
  name: "a model promoted through one replica is served by another from the model store (postgres)",
  ignore: !TEST_DB_URL,
  async fn() {
    startArgs = await startFlags();
    const schema = await freshSchema(TEST_DB_URL!, "store");
    const name = `store-test-${crypto.randomUUID().slice(0, 8)}`;
    const root = join(PROJECT_ROOT, "tmp", name);
    const rel = (...parts: string[]) => join("tmp", name, ...parts);
    await Deno.mkdir(root, { recursive: true });
    const servers: Server[] = [];
    try {
      const baked = await trainModelDir(toyCorpus(300, 7), {
        ...TOY_TRAINING,
        seed: 1,
        name: "toy",
        modelDir: join(root, "baked"),
      });
      const a = startServer({
        DB_URL: schema.url,
        DATA_DIR: rel("a"),
        MODEL_DIR: rel("a", "models"),
        BOOTSTRAP_MODEL_DIR: rel("baked"),
      });
      servers.push(a);
      await eventually(async () => (await servedVersion(a)) === baked.version, "A serving", a);
      // B has no baked model and an empty MODEL_DIR: only the store can give it one.
      const b = startServer({
        DB_URL: schema.url,
        DATA_DIR: rel("b"),
        MODEL_DIR: rel("b", "models"),
      });
      servers.push(b);
      await eventually(async () => (await servedVersion(b)) === baked.version, "B serving", b);
      assert.match(b.stderr(), new RegExp(`fetched model ${baked.version} from the model store`));

      const second = await toyBundle(root, 2);
      const imported = await newsintel([
        "models",
        "import",
        second.file,
        "--taxonomy",
        "topic",
        "--promote",
      ], {
        DB_URL: schema.url,
        MODEL_DIR: join(root, "a", "models"),
        DATA_DIR: join(root, "a"),
      });
      assert.equal(imported.code, 0, imported.stderr);
      await eventually(async () => (await servedVersion(b)) === second.version, "B on v2", b);
      await eventually(async () => (await servedVersion(a)) === second.version, "A on v2", a);
      assert.ok((await Deno.stat(join(root, "b", "models", second.version))).isDirectory);

      // A third model whose stored copy is corrupt: promoted through A, which has its files.
      const third = await toyBundle(root, 3);
      const registered = await newsintel(["models", "import", third.file, "--taxonomy", "topic"], {
        DB_URL: schema.url,
        MODEL_DIR: join(root, "a", "models"),
        DATA_DIR: join(root, "a"),
      });
      assert.equal(registered.code, 0, registered.stderr);
      const sql = postgres(schema.url, { max: 1, onnotice: () => {} });
      try {
        const changed = await sql`UPDATE model_files SET bytes = ${new Uint8Array(8)}
          WHERE version = ${third.version} AND path = 'onnx/model.onnx' AND chunk_no = 0`;
        assert.equal(changed.count, 1);
      } finally {
        await sql.end();
      }
      const promoted = await fetch(`${a.url}/v1/models/${third.version}/promote`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: "{}",
      });
      assert.equal(promoted.status, 200, await promoted.clone().text());
      await promoted.body?.cancel();
      await eventually(async () => (await servedVersion(a)) === third.version, "A on v3", a);
      let ready: { status: string; details?: { models: { version: string; error: string }[] } } = {
        status: "",
      };
      await eventually(
        async () => {
          ready = await (await fetch(`${b.url}/ready`)).json();
          return ready.details?.models[0]?.version === third.version;
        },
        "B's /ready naming the corrupt model",
        b,
      );
      assert.equal(ready.status, "ready");
      assert.match(ready.details!.models[0].error, /corrupt.*onnx\/model\.onnx/);
      assert.equal(await servedVersion(b), second.version, "B keeps serving v2");
      assert.match(b.stderr(), new RegExp(`cannot load topic model ${third.version}`));
    } finally {
      for (const s of servers) {
        s.child.kill("SIGTERM");
        await s.child.status;
      }
      await schema.drop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
