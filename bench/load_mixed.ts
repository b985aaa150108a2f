// deno-lint-ignore-file no-console
/**
 * Sustained mixed load: 80% `POST /v1/classify` (one text), 15% `POST /v1/articles`
 * (batches of 5 new articles), 5% reads (`GET /v1/articles?q=…`), from 32 concurrent
 * loopback clients for BENCH_SECONDS (default 60), against PostgreSQL (BENCH_DB_URL,
 * fresh schema) with WORKERS=2 and with one process, and against the embedded database. Reports errors, p50/p99 per kind,
 * throughput, and the server's resident memory at 10 s and at the end.
 */
import { freshSchema } from "../testing/db/test_db.ts";
import { CLASSIFY_TEXT, startServer } from "./http_load.ts";

const KEY = "bench-load-key-0001";
type Kind = "classify" | "ingest" | "read";

function pick(r: number): Kind {
  return r < 0.8 ? "classify" : r < 0.95 ? "ingest" : "read";
}

/** Resident memory of all the server's processes (the sum /metrics reports), in MB. */
async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics?format=prometheus`)).text();
  const bytes = Number(/^process_resident_memory_bytes\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
  return Math.round(bytes / 1e6);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
}

async function run(url: string, seconds: number) {
  const lat: Record<Kind, number[]> = { classify: [], ingest: [], read: [] };
  let errors = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let rss10 = 0;
  const probe = setTimeout(async () => rss10 = await rss(url), 10_000);
  const headers = { "content-type": "application/json", "x-api-key": KEY };
  await Promise.all(Array.from({ length: 32 }, async (_, worker) => {
    while (performance.now() < deadline) {
      const kind = pick(Math.random());
      const init: RequestInit = kind === "classify"
        ? { method: "POST", headers, body: JSON.stringify({ text: CLASSIFY_TEXT }) }
        : kind === "ingest"
        ? {
          method: "POST",
          headers,
          body: JSON.stringify({
            articles: Array.from({ length: 5 }, (_, i) => ({
              externalId: `load-${worker}-${n}-${i}-${crypto.randomUUID()}`,
              title: `Markets move ${n} ${i}`,
              body: "Stocks rose as the central bank held rates. Banks led the gains.",
              source: "load",
            })),
          }),
        }
        : { headers };
      const path = kind === "classify"
        ? "/v1/classify"
        : kind === "ingest"
        ? "/v1/articles"
        : "/v1/articles?q=markets&limit=20";
      const t = performance.now();
      try {
        const res = await fetch(`${url}${path}`, init);
        await res.arrayBuffer();
        if (res.status >= 400) errors++;
      } catch {
        errors++;
      }
      lat[kind].push(performance.now() - t);
      n++;
    }
  }));
  clearTimeout(probe);
  const elapsed = (performance.now() - started) / 1000;
  const rssEnd = await rss(url);
  return {
    seconds: Math.round(elapsed),
    requests: n,
    requestsPerSecond: Math.round(n / elapsed),
    errors,
    latencyMs: Object.fromEntries(
      Object.entries(lat).map((
        [k, v],
      ) => [k, { count: v.length, p50: percentile(v, 50), p99: percentile(v, 99) }]),
    ),
    rssMb: {
      at10s: rss10,
      atEnd: rssEnd,
      growth: rss10 ? `${Math.round((rssEnd / rss10 - 1) * 100)}%` : "n/a",
    },
  };
}

async function measure(env: Record<string, string>, seconds: number) {
  const server = await startServer({ ...env, LOG_LEVEL: "warning" });
  try {
    return await run(server.url, seconds);
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<Record<string, unknown>> {
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 60);
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const results: Record<string, unknown> = {
    note: "client: 32 Deno fetch loops on the same 2-core machine",
  };
  // A fresh schema for each PostgreSQL run: each server has its own model directory.
  for (const [name, workers] of [["postgres_workers2", 2], ["postgres_workers1", 1]] as const) {
    const schema = await freshSchema(url, "bench_load");
    try {
      results[name] = await measure({ DB_URL: schema.url, WORKERS: String(workers) }, seconds);
    } finally {
      await schema.drop();
    }
  }
  results.pglite = await measure({}, seconds);
  return results;
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
