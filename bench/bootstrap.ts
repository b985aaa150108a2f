// deno-lint-ignore-file no-console
/**
 * A fresh start from a baked model, as a container's first start is: the default AG News
 * model trained once with `newsintel train --out` (what the image build does), then
 * `newsintel serve` started on an empty database with `BOOTSTRAP_MODEL_DIR` pointing at it
 * and no sample seeding. Reports the seconds from spawning the process to `/ready` and to
 * the first `POST /v1/classify` answer, on a new embedded database and on a new PostgreSQL
 * schema, and checks no training ran. Then the memory a Kubernetes request should cover:
 * the RSS of `serve` on PostgreSQL after seeding the 20k sample articles, and after a
 * minute's worth of classify and ingest calls on top.
 * Target: classification served < 10 s after a fresh start, without training.
 *
 * Run: `deno task bench bootstrap` (PostgreSQL from BENCH_DB_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a throwaway schema).
 */
import { join } from "node:path";
import { freshSchema } from "../testing/db/test_db.ts";
import { startFlags } from "../lib/self_command.ts";
import { baseEnv, freePort } from "../testing/cli/test_run.ts";

const ROOT = join(import.meta.dirname!, "..");
const KEY = "bench-bootstrap-key-0001";
const TEXT = "Apple shares rose after record iPhone sales in China lifted its quarterly profit";

interface Started {
  readySeconds: number;
  firstClassifySeconds: number;
  model: string;
  trained: boolean;
  rssMb: () => number;
  url: string;
  stop: () => Promise<void>;
}

/** Runs `newsintel ARGS` with the flags of `deno task start` and returns its stdout. */
async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...await startFlags(), "main.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv({ vectors: "package" }), ...env },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`newsintel ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout);
}

async function serve(dir: string, env: Record<string, string>): Promise<Started> {
  const port = freePort();
  const log = join(dir, "serve.log");
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await startFlags(), "main.ts", "serve"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      ...baseEnv({ vectors: "package" }),
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dir,
      MODEL_DIR: join(dir, "models"),
      SEED_ON_EMPTY: "false",
      RATE_LIMIT_PER_MINUTE: "0",
      API_KEY: KEY,
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const file = await Deno.open(log, { write: true, create: true, truncate: true });
  const copied = child.stderr.pipeTo(file.writable).catch(() => {});
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await copied;
  };
  const deadline = Date.now() + 600_000;
  let readySeconds = 0;
  while (!readySeconds) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`serve did not get ready:\n${(await Deno.readTextFile(log)).slice(-3000)}`);
    }
    const ok = await fetch(`${url}/ready`).then((r) => (r.body?.cancel(), r.ok), () => false);
    if (ok) readySeconds = (performance.now() - started) / 1000;
    else await new Promise((r) => setTimeout(r, 50));
  }
  const res = await fetch(`${url}/v1/classify`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEY },
    body: JSON.stringify({ text: TEXT }),
  });
  const body = await res.json();
  const firstClassifySeconds = (performance.now() - started) / 1000;
  if (!res.ok) throw new Error(`classify answered ${res.status}: ${JSON.stringify(body)}`);
  const rssMb = () => {
    const s = Deno.readTextFileSync(`/proc/${child.pid}/status`);
    return Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(s)![1]) / 1024);
  };
  const text = await Deno.readTextFile(log);
  return {
    readySeconds: round(readySeconds),
    firstClassifySeconds: round(firstClassifySeconds),
    model: body.model.version,
    trained: /training .* in a separate process/.test(text),
    rssMb,
    url,
    stop,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A minute's worth of traffic, sequentially: classify calls and small ingest batches. */
async function traffic(url: string): Promise<void> {
  const headers = { "content-type": "application/json", "x-api-key": KEY };
  for (let i = 0; i < 300; i++) {
    const body = i % 3
      ? JSON.stringify({ texts: Array.from({ length: 16 }, (_, j) => `${TEXT} ${i} ${j}`) })
      : JSON.stringify({
        articles: Array.from({ length: 20 }, (_, j) => ({
          title: `Markets note ${i}-${j}`,
          body: `${TEXT}. Banks led the gains on Friday, item ${i}-${j}.`,
          source: "bench",
        })),
      });
    const res = await fetch(`${url}/v1/${i % 3 ? "classify" : "articles"}`, {
      method: "POST",
      headers,
      body,
    });
    await res.body?.cancel();
  }
}

export async function main(): Promise<Record<string, unknown>> {
  await Deno.mkdir(join(ROOT, "tmp"), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: join(ROOT, "tmp"), prefix: "bench-bootstrap-" });
  const pgUrl = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const results: Record<string, unknown> = {};
  try {
    const trainStarted = performance.now();
    const manifest = JSON.parse(
      await cli(["train", "--out", join(dir, "baked"), "--json"], {
        DATA_DIR: dir,
        MODEL_DIR: join(dir, "models"),
      }),
    );
    results.bakeSeconds = round((performance.now() - trainStarted) / 1000);
    results.model = manifest.version;
    console.error(`baked ${manifest.version} in ${results.bakeSeconds}s`);

    const runs: [
      string,
      () => Promise<{ env: Record<string, string>; done: () => Promise<void> }>,
    ][] = [
      ["embedded", () => Promise.resolve({ env: {}, done: () => Promise.resolve() })],
      ["postgres", async () => {
        const schema = await freshSchema(pgUrl, "bench_boot");
        return { env: { DB_URL: schema.url }, done: schema.drop };
      }],
    ];
    for (const [name, prepare] of runs) {
      const db = await prepare();
      const data = await Deno.makeTempDir({ dir, prefix: `${name}-` });
      try {
        const s = await serve(data, { ...db.env, BOOTSTRAP_MODEL_DIR: join(dir, "baked") });
        await s.stop();
        results[`freshStart_${name}`] = {
          readySeconds: s.readySeconds,
          firstClassifySeconds: s.firstClassifySeconds,
          servedBakedModel: s.model === manifest.version,
          trained: s.trained,
        };
        console.error(`${name}: ${JSON.stringify(results[`freshStart_${name}`])}`);
      } finally {
        await db.done();
      }
    }

    // Memory for the Kubernetes requests: PostgreSQL, the sample articles seeded, one process.
    const schema = await freshSchema(pgUrl, "bench_rss");
    try {
      const data = await Deno.makeTempDir({ dir, prefix: "rss-" });
      const s = await serve(data, {
        DB_URL: schema.url,
        SEED_ON_EMPTY: "true",
        BOOTSTRAP_MODEL_DIR: join(dir, "baked"),
      });
      try {
        const afterSeed = s.rssMb();
        await traffic(s.url);
        results.rssPostgres = {
          seededReadySeconds: s.readySeconds,
          afterSeedMb: afterSeed,
          afterTrafficMb: s.rssMb(),
        };
        console.error(`rss: ${JSON.stringify(results.rssPostgres)}`);
      } finally {
        await s.stop();
      }
    } finally {
      await schema.drop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
