/**
 * The adversarial suite: every route of the app (testing/routes/fuzz_routes.ts) gets a
 * fixed sweep of hostile input (testing/routes/hostile.ts) and fast-check generated
 * requests, on a real database and model, mostly with a valid key so the work
 * behind authentication runs. Each request must answer below 500 within a time
 * budget, never redirect off our origin, never leak a key or a server file;
 * meanwhile a probe measures how long `/health` waits (how long the event loop
 * is blocked), and the resident set must stay bounded.
 *
 * Environment (the defaults suit a loaded CI machine; `deno task fuzz` is strict):
 * - `FUZZ_RUNS`: generated requests per route (default 5; `large` is 200)
 * - `FUZZ_SEED`: fast-check seed (default fixed; `random` picks and prints one)
 * - `FUZZ_HEALTH_BUDGET_MS` (default 1000), `FUZZ_REQUEST_BUDGET_MS` (default 5000),
 *   `FUZZ_RSS_BUDGET_MB`: growth of this isolate's memory (V8 heap plus the external memory
 *   it holds, such as PGlite's WASM memory) allowed (default 512). Not the process's resident
 *   set: `deno test --parallel` runs other test files in the same process.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { countArticles, listArticles } from "../db/articles.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { createModelRuntime } from "../services/model_runtime.ts";
import {
  createSession,
  LOGIN_COOKIE,
  SESSION_COOKIE,
  sessionSecret,
} from "../lib/console_session.ts";
import { trainToyModel } from "../testing/services/test_model.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import {
  type Case,
  honoRoutes,
  KNOWN_ROUTES,
  LOGIN_TOKEN,
  type OpenApiDoc,
  openApiRoutes,
  routeSpecs,
} from "../testing/routes/fuzz_routes.ts";
import {
  ALICE_PLACEHOLDER,
  generated,
  sweep,
  unknownRoutes,
} from "../testing/routes/fuzz_cases.ts";
import { brief, headersOf, ODD_METHODS, requestWithMethod } from "../testing/routes/hostile.ts";
import { ADMIN_KEY, ALICE_KEY, BOB_KEY, postJson, testApp } from "../testing/routes/test_app.ts";

const setting = (name: string, fallback: number) => {
  const v = Number(Deno.env.get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const RUNS = Deno.env.get("FUZZ_RUNS") === "large" ? 200 : setting("FUZZ_RUNS", 5);
const SEED = Deno.env.get("FUZZ_SEED") === "random"
  ? Math.floor(Math.random() * 2 ** 31)
  : setting("FUZZ_SEED", 20261127);
const HEALTH_BUDGET_MS = setting("FUZZ_HEALTH_BUDGET_MS", 1_000);
const REQUEST_BUDGET_MS = setting("FUZZ_REQUEST_BUDGET_MS", 5_000);
const RSS_BUDGET_MB = setting("FUZZ_RSS_BUDGET_MB", 512);
/** The short run tries each hostile query value on every third parameter; the long one on all. */
const SWEEP_EVERY = RUNS >= 100 ? 1 : 3;

const ORIGIN = "http://localhost";
const STANDARD_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** This isolate's memory: its V8 heap and the external memory it holds, in bytes. */
function ownMemory(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Measures, every 25 ms, how late `/health` answers compared with when it was
 * due, and which request ran longest meanwhile (`during(due, answered)`).
 */
function healthProbe(
  app: { request(path: string): Response | Promise<Response> },
  during: (from: number, to: number) => string,
) {
  const worst = { ms: 0, during: "" };
  let peakRss = Deno.memoryUsage().rss;
  let peakOwn = ownMemory();
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const due = performance.now() + 25;
      await new Promise((resolve) => setTimeout(resolve, 25));
      const res = await app.request("/health");
      await res.body?.cancel();
      if (res.status !== 200) failures++;
      const answered = performance.now();
      const late = answered - due;
      if (late > worst.ms) Object.assign(worst, { ms: late, during: during(due, answered) });
      peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
      peakOwn = Math.max(peakOwn, ownMemory());
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { worst, peakRss, peakOwn, failures };
    },
  };
}

Deno.test({
  name: "every route answers hostile input below 500, in time, without blocking /health",
  // The /health probe runs across the steps on purpose.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const modelDir = await Deno.makeTempDir({ prefix: "newsintel-fuzz-" });
    const { db, close } = await pgliteTestDb();
    const manifest = await trainToyModel(db, modelDir);
    const models = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
    const { app, config, metrics, retrain } = testApp(
      db,
      // The limits have tests of their own; here they would turn most requests into 429s.
      {
        MODEL_DIR: modelDir,
        RATE_LIMIT_PER_MINUTE: "0",
        AUTH_FAILURES_PER_MINUTE: "0",
        SESSION_SECRET: "fuzz-session-secret-0123456789abcdef",
      },
      models,
    );
    const secret = sessionSecret(config.sessionSecret);
    const alice = config.apiKeys.find((k) => k.key === ALICE_KEY)!;

    // Something to read, review and page through.
    const articles = toyCorpus(60, 3).map((e, i) => ({
      externalId: `toy-${i}`,
      title: e.text.slice(0, 60),
      body: e.text,
      source: "toy",
      publishedAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
    }));
    const ingested = await (await app.request("/v1/articles", postJson({ articles }))).json();
    const articleIds: number[] = ingested.items.map((i: { id: number }) => i.id);
    for (const articleId of articleIds.slice(0, 5)) {
      const res = await app.request("/v1/review/items", postJson({ articleId, note: "fuzz" }));
      await res.body?.cancel();
    }
    const listed = await (await app.request("/v1/review/items?limit=50", {
      headers: { "x-api-key": ALICE_KEY },
    })).json();
    const existing = {
      articleIds,
      itemIds: listed.items.map((i: { id: number }) => i.id),
      versions: [manifest.version],
    };
    assert.ok(existing.itemIds.length > 0);

    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "", version: "" },
    }) as unknown as OpenApiDoc;
    const specs = routeSpecs(doc, existing);

    await t.step("the suite knows every route of the app", () => {
      const known = new Set(KNOWN_ROUTES);
      const unknown = [...openApiRoutes(doc), ...honoRoutes(app.routes)].filter((r) =>
        !known.has(r)
      );
      assert.deepEqual([...new Set(unknown)], [], "routes the adversarial suite does not attack");
      assert.deepEqual(specs.map((s) => s.key).sort(), [...KNOWN_ROUTES].sort());
    });

    /** A case as a request: credentials, form and cookies put together. */
    const toRequest = (c: Case): Request => {
      const headers: Record<string, string> = {};
      const form = c.form && { ...c.form };
      // An admin key, so admin-only routes are attacked past their role check too;
      // sessions are a reviewer's.
      if (c.auth === "key") headers["x-api-key"] = ADMIN_KEY;
      if (c.auth === "wrongKey") headers["x-api-key"] = `wrong-${ALICE_KEY}`;
      if (c.auth === "session") {
        // A fresh session each time: signing out revokes the one it is sent with.
        const { value, session } = createSession(secret, alice, { ttlSeconds: 600 });
        headers.cookie = `${SESSION_COOKIE}=${value}`;
        headers.origin = ORIGIN;
        headers["sec-fetch-site"] = "same-origin";
        headers["x-csrf-token"] = session.csrf;
        if (form && !("_csrf" in form)) form._csrf = session.csrf;
      }
      if (c.auth === "login") {
        headers.cookie = `${LOGIN_COOKIE}=${LOGIN_TOKEN}`;
        headers.origin = ORIGIN;
      }
      for (const [k, v] of Object.entries(c.headers)) {
        headers[k] = k === "cookie" && headers.cookie ? `${headers.cookie}; ${v}` : v;
      }
      let body = c.body;
      if (form) {
        for (const k of Object.keys(form)) if (form[k] === ALICE_PLACEHOLDER) form[k] = ALICE_KEY;
        body = new URLSearchParams(form).toString();
        headers["content-type"] ??= "application/x-www-form-urlencoded";
      }
      const bodyless = ["GET", "HEAD"].includes(c.method.toUpperCase());
      return requestWithMethod(ORIGIN + c.url, c.method, {
        headers: headersOf(headers),
        body: bodyless ? undefined : body as BodyInit | undefined,
      });
    };

    const label = (c: Case) => `${c.route} [${brief(c.what, 240)}]`;
    // When each request started, to name the one that kept /health waiting.
    const timeline: { at: number; what: string }[] = [];
    /** The request that ran longest between `from` and `to`. */
    const runningBetween = (from: number, to: number) => {
      let best = { overlap: 0, what: "no request" };
      for (let i = timeline.length - 1; i >= 0 && (timeline[i + 1]?.at ?? to) > from; i--) {
        const end = Math.min(timeline[i + 1]?.at ?? to, to);
        const overlap = end - Math.max(timeline[i].at, from);
        if (overlap > best.overlap) best = { overlap, what: timeline[i].what };
      }
      return best.what;
    };
    let sent = 0;
    let refused = 0;
    const worstRequest = { ms: 0, what: "" };
    const secrets = [ALICE_KEY, BOB_KEY, ADMIN_KEY, '"nodeModulesDir"'];

    /** Sends one case; returns what is wrong with the answer, if anything. */
    const attack = async (c: Case): Promise<string | null> => {
      let req: Request;
      try {
        req = toRequest(c);
      } catch {
        refused++; // the fetch API itself refuses it: no client can send it this way
        return null;
      }
      // Requests reach a server as separate events; back to back in one promise chain they
      // would starve the probe's timer even when no request blocks for long.
      await new Promise((resolve) => setTimeout(resolve, 0));
      sent++;
      const start = performance.now();
      timeline.push({ at: start, what: label(c) });
      try {
        const res = await app.request(req);
        const bytes = new Uint8Array(await res.arrayBuffer());
        const ms = performance.now() - start;
        if (ms > worstRequest.ms) Object.assign(worstRequest, { ms, what: label(c) });
        const problems: string[] = [];
        if (res.status >= 500) problems.push(`status ${res.status}`);
        if (ms > REQUEST_BUDGET_MS) problems.push(`took ${Math.round(ms)} ms`);
        const location = res.headers.get("location");
        if (location !== null && new URL(location, ORIGIN + "/").origin !== ORIGIN) {
          problems.push(`redirects off-site to ${brief(location)}`);
        }
        if (bytes.length < 4 * 2 ** 20) {
          const text = new TextDecoder().decode(bytes);
          for (const s of secrets) if (text.includes(s)) problems.push(`answer contains ${s}`);
        }
        return problems.length ? problems.join(", ") : null;
      } catch (err) {
        return `threw ${brief(String(err))}`;
      }
    };

    // The seed first too: a run that takes the process down never reaches the summary.
    // deno-lint-ignore no-console
    console.log(`fuzz: seed ${SEED}, ${RUNS} generated per route`);
    const probe = healthProbe(app, runningBetween);
    const rssBefore = Deno.memoryUsage().rss;
    const ownBefore = ownMemory();
    let outcome: Awaited<ReturnType<typeof probe.stop>> | null = null;
    try {
      for (const [i, spec] of specs.entries()) {
        await t.step(
          `${spec.key}: hostile input answers below 500, in time, on our origin`,
          async () => {
            const cases = [
              ...sweep(spec, SWEEP_EVERY),
              ...fc.sample(generated(spec), { seed: SEED + i, numRuns: RUNS }),
            ];
            const failures: string[] = [];
            for (const c of cases) {
              const problem = await attack(c);
              if (problem) failures.push(`${label(c)}: ${problem}`);
            }
            assert.deepEqual(failures, [], `${failures.length} of ${cases.length} requests failed`);
          },
        );
      }
      await t.step("unknown paths answer below 500", async () => {
        const failures: string[] = [];
        for (const c of unknownRoutes()) {
          const problem = await attack(c);
          if (problem) failures.push(`${label(c)}: ${problem}`);
        }
        assert.deepEqual(failures, []);
      });
      timeline.push({ at: performance.now(), what: "no request" });
      outcome = await probe.stop();

      await t.step("/health kept answering, within its budget", async () => {
        assert.equal(outcome!.failures, 0);
        assert.ok(
          outcome!.worst.ms <= HEALTH_BUDGET_MS,
          `/health waited ${Math.round(outcome!.worst.ms)} ms (budget ${HEALTH_BUDGET_MS}) ` +
            `during ${outcome!.worst.during}`,
        );
        const res = await app.request("/health");
        assert.equal(res.status, 200);
        await res.body?.cancel();
      });

      await t.step("the resident set stayed bounded", () => {
        const growth = mb(outcome!.peakOwn - ownBefore);
        assert.ok(growth <= RSS_BUDGET_MB, `memory grew ${growth} MB (budget ${RSS_BUDGET_MB})`);
      });

      await t.step("metrics keep a bounded set of method labels", async () => {
        const text = await metrics.prometheus();
        const methods = new Set(
          [...text.matchAll(/^http_requests_total\{[^}]*method="([^"]*)"/gm)].map((m) => m[1]),
        );
        const odd = ODD_METHODS.filter((m) => !STANDARD_METHODS.includes(m));
        assert.deepEqual([...methods].filter((m) => odd.includes(m)).map((m) => brief(m)), []);
        assert.ok(methods.size <= STANDARD_METHODS.length + 1, [...methods].join(", "));
      });

      await t.step("whatever was stored is a valid article, and nothing was polluted", async () => {
        const n = await countArticles(db);
        const stored = await listArticles(db, { limit: Math.max(1, n) });
        for (const a of stored) {
          assert.ok(a.title.trim().length > 0 && a.title.length <= 1_000);
          assert.ok(!a.title.includes("\u0000") && !a.body.includes("\u0000"));
          assert.ok(a.title.isWellFormed() && a.body.isWellFormed());
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });

      await t.step("payloads are stored as text", async () => {
        const res = await app.request(
          "/v1/articles",
          postJson({ title: "'; DROP TABLE articles; --", body: "<script>alert(1)</script>" }),
        );
        assert.equal(res.status, 201);
        const { items } = await res.json();
        const got = await (await app.request(`/v1/articles/${items[0].id}`, {
          headers: { "x-api-key": ALICE_KEY },
        })).json();
        assert.equal(got.body, "<script>alert(1)</script>");
      });
    } finally {
      outcome ??= await probe.stop();
      // The figures, one line, so a run can be quoted.
      // deno-lint-ignore no-console
      console.log(
        `fuzz: seed ${SEED}, ${RUNS} generated per route, ${sent} requests (${refused} refused ` +
          `by the fetch API); worst request ${Math.round(worstRequest.ms)} ms ` +
          `(${worstRequest.what}); worst /health delay ${Math.round(outcome.worst.ms)} ms ` +
          `(during ${outcome.worst.during}); RSS ${mb(rssBefore)} MB before, ` +
          `${mb(outcome.peakRss)} MB peak, ${mb(Deno.memoryUsage().rss)} MB after; ` +
          `this test's heap and external memory grew ${mb(outcome.peakOwn - ownBefore)} MB`,
      );
      await retrain.idle();
      await models.close();
      await close();
      await Deno.remove(modelDir, { recursive: true });
    }
  },
});
