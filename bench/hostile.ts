// deno-lint-ignore-file no-console
/**
 * Hostile input against a real server: the requests that once stopped, slowed or opened
 * the service (a 0001–9999 hourly trends range, "A." × 50,000 to summarize, 100k characters
 * with no space, deep JSON, off-site sign-in redirects, key guessing, odd methods), each
 * sent a few times over a socket while a probe asks `/health` every 20 ms. Reports the
 * slowest hostile request, the longest `/health` answer meanwhile (how long the event loop
 * was held), the server's RSS before, at its peak and after, and any answer of 500 or more.
 * Target: no 5xx, `/health` within 200 ms.
 *
 * Then the body flood: 300 MB bodies streamed without a key to `/login`, to a path no
 * route matches and to a console form — one alone, then six at once — while the same
 * probe runs; reports their answers, the worst `/health` and the peak RSS (target: 413,
 * and RSS within the body limits, not the bodies).
 *
 * Run: `deno task bench hostile` (or `deno run --allow-all bench/hostile.ts`; with
 * `--flood`, the body flood alone).
 */
import { startServer } from "./http_load.ts";

const KEY = "bench-load-key-0001";
const ROUNDS = 3;

interface Attack {
  name: string;
  method?: string;
  path: string;
  body?: string;
  key?: boolean;
  headers?: Record<string, string>;
}

function attacks(): Attack[] {
  const json = { "content-type": "application/json" };
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const words = "Word. ".repeat(16_000);
  return [
    {
      name: "trends hourly 0001–9999, no key",
      path: "/v1/trends?bucket=hour&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z",
      key: false,
    },
    {
      name: "trends hourly 0001–9999",
      path: "/v1/trends?bucket=hour&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z",
    },
    {
      name: "trends hourly 1900–2100",
      path: "/v1/trends?bucket=hour&from=1900-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
    },
    { name: "trends to year 9999", path: "/v1/trends?to=9999-12-31T23:59:59Z" },
    {
      name: "summarize 'A.' × 50,000",
      method: "POST",
      path: "/v1/summarize",
      body: JSON.stringify({ text: "A.".repeat(50_000) }),
      headers: json,
    },
    {
      name: "summarize 100k characters, no space",
      method: "POST",
      path: "/v1/summarize",
      body: JSON.stringify({ text: "a".repeat(99_999) + "." }),
      headers: json,
    },
    {
      name: "summarize 'Word. ' × 16,000",
      method: "POST",
      path: "/v1/summarize",
      body: JSON.stringify({ text: words }),
      headers: json,
    },
    {
      name: "ingest a 100k-character article of 'A.'",
      method: "POST",
      path: "/v1/articles",
      body: JSON.stringify({ title: "A.".repeat(500), body: "A.".repeat(50_000) }),
      headers: json,
    },
    {
      name: "classify 200 texts of 20,000 characters",
      method: "POST",
      path: "/v1/classify",
      body: JSON.stringify({ texts: Array.from({ length: 200 }, () => "x".repeat(20_000)) }),
      headers: json,
    },
    { name: "deep JSON (10,000 levels)", method: "POST", path: "/v1/articles", body: deep },
    {
      name: "an unpaired surrogate in a title",
      method: "POST",
      path: "/v1/articles",
      body: '{"title": "\\ud800"}',
      headers: json,
    },
    { name: "full-text query of 500 operators", path: `/v1/articles?q=${'-"a" or '.repeat(50)}` },
    { name: "review filter in year 0000", path: "/v1/review/items?since=0000-01-01T00:00:00Z" },
    { name: "odd method", method: "FOOBAR", path: "/v1/articles" },
    {
      name: "sign-in page with an off-site next",
      path: "/login?next=/.//evil.example",
      key: false,
    },
    { name: "static path traversal", path: "/static/..%2f..%2fdeno.json", key: false },
  ];
}

/** Bytes of each flooding body. */
const FLOOD_BYTES = 300 * 1024 * 1024;

/** A JSON body of `bytes` made on the fly in 1 MB chunks (the bench holds none of it). */
function floodBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("a".repeat(1024 * 1024));
  const open = new TextEncoder().encode('{"key":"');
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(open);
        sent += open.length;
      } else if (sent + chunk.length < bytes) {
        controller.enqueue(chunk);
        sent += chunk.length;
      } else {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      }
    },
  });
}

/** One flooding request: its status, or "reset" when the server closed the upload. */
async function flood(url: string, path: string): Promise<{ status: number | string; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: floodBody(FLOOD_BYTES),
      redirect: "manual",
    });
    await res.body?.cancel();
    return { status: res.status, ms: performance.now() - t0 };
  } catch {
    return { status: "reset", ms: performance.now() - t0 };
  }
}

/** Probes `/health` every 20 ms and tracks the server's RSS until `stop()`. */
function probe(server: { url: string; rssMb: () => number }) {
  const seen = { worstHealthMs: 0, during: "", rssPeakMb: server.rssMb(), current: "" };
  let probing = true;
  const done = (async () => {
    while (probing) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/health`);
      await res.body?.cancel();
      const ms = performance.now() - t0;
      if (ms > seen.worstHealthMs) Object.assign(seen, { worstHealthMs: ms, during: seen.current });
      seen.rssPeakMb = Math.max(seen.rssPeakMb, server.rssMb());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    seen,
    stop: async () => {
      probing = false;
      await done;
      return seen;
    },
  };
}

/** The body flood (see the module header) against a started server. */
async function bodyFlood(server: { url: string; rssMb: () => number }) {
  const rssBefore = server.rssMb();
  const p = probe(server);
  const paths = ["/login", "/no/such/path", "/models/promote"];
  const rounds: Array<{ name: string; statuses: Array<number | string>; worstMs: number }> = [];
  for (const path of paths) {
    p.seen.current = `300 MB to ${path}`;
    const r = await flood(server.url, path);
    rounds.push({ name: p.seen.current, statuses: [r.status], worstMs: Math.round(r.ms) });
    console.error(`${p.seen.current}: ${r.status} in ${Math.round(r.ms)} ms`);
  }
  p.seen.current = "six 300 MB bodies at once";
  const six = await Promise.all([...paths, ...paths].map((path) => flood(server.url, path)));
  rounds.push({
    name: p.seen.current,
    statuses: six.map((r) => r.status),
    worstMs: Math.round(Math.max(...six.map((r) => r.ms))),
  });
  console.error(`${p.seen.current}: ${six.map((r) => r.status).join(",")}`);
  const seen = await p.stop();
  return {
    bodyMb: FLOOD_BYTES / 1024 / 1024,
    worstHealthMs: Math.round(seen.worstHealthMs),
    worstHealthDuring: seen.during,
    rssMb: { before: rssBefore, peak: seen.rssPeakMb, after: server.rssMb() },
    rounds,
  };
}

async function send(url: string, a: Attack): Promise<{ status: number; ms: number }> {
  const headers: Record<string, string> = { ...a.headers };
  if (a.key !== false) headers["x-api-key"] = KEY;
  const t0 = performance.now();
  const res = await fetch(url + a.path, {
    method: a.method ?? "GET",
    headers,
    body: a.body,
    redirect: "manual",
  });
  await res.body?.cancel();
  return { status: res.status, ms: performance.now() - t0 };
}

export async function main(
  { floodOnly = false }: { floodOnly?: boolean } = {},
): Promise<Record<string, unknown>> {
  const server = await startServer({ API_KEYS: `bench:admin=${KEY}` });
  try {
    if (floodOnly) return { bodyFlood: await bodyFlood(server) };
    const rssBefore = server.rssMb();
    let rssPeak = rssBefore;
    let worstHealth = { ms: 0, during: "" };
    let current = "";
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/health`);
        await res.body?.cancel();
        const ms = performance.now() - t0;
        if (ms > worstHealth.ms) worstHealth = { ms, during: current };
        rssPeak = Math.max(rssPeak, server.rssMb());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const perAttack: Array<{ name: string; statuses: number[]; worstMs: number }> = [];
    let worst = { ms: 0, name: "" };
    for (const a of attacks()) {
      current = a.name;
      const statuses: number[] = [];
      let worstMs = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const r = await send(server.url, a);
        statuses.push(r.status);
        worstMs = Math.max(worstMs, r.ms);
      }
      if (worstMs > worst.ms) worst = { ms: worstMs, name: a.name };
      perAttack.push({ name: a.name, statuses, worstMs: Math.round(worstMs) });
      console.error(`${a.name}: ${statuses.join(",")} in ≤ ${Math.round(worstMs)} ms`);
    }
    // Guessing keys: the failed-authentication limit answers 429 before comparing keys.
    current = "60 wrong keys";
    const guesses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${server.url}/v1/articles`, {
        headers: { "x-api-key": `guess-${i}`, "x-forwarded-for": `198.51.100.${i}` },
      });
      await res.body?.cancel();
      guesses.push(res.status);
    }
    probing = false;
    await probe;
    const failures = perAttack.filter((a) => a.statuses.some((s) => s >= 500));
    return {
      requests: perAttack.length * ROUNDS + guesses.length,
      worstRequestMs: Math.round(worst.ms),
      worstRequest: worst.name,
      worstHealthMs: Math.round(worstHealth.ms),
      worstHealthDuring: worstHealth.during,
      healthTargetMs: 200,
      rssMb: { before: rssBefore, peak: rssPeak, after: server.rssMb() },
      wrongKeys: {
        unauthorized: guesses.filter((s) => s === 401).length,
        limited: guesses.filter((s) => s === 429).length,
      },
      serverErrors: failures.map((f) => f.name),
      attacks: perAttack,
      bodyFlood: await bodyFlood(server),
    };
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await main({ floodOnly: Deno.args.includes("--flood") }), null, 2));
}
