import assert from "node:assert/strict";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import {
  ADMIN_KEY,
  ALICE_KEY,
  BOB_KEY,
  fromAddress,
  testApp,
  withKey,
} from "../testing/routes/test_app.ts";
import { DENIED_PER_MINUTE } from "./denied_sampler.ts";

const { db, close } = await pgliteTestDb();
globalThis.addEventListener("unload", () => void close());

const outside = fromAddress("203.0.113.9");

Deno.test("every /v1 read needs a key by default; /health and /ready stay open", async () => {
  const { app } = testApp(db);
  for (const path of ["/v1/articles", "/v1/trends", "/v1/models", "/v1/review/items"]) {
    const res = await app.request(path, {}, outside);
    assert.equal(res.status, 401, path);
    assert.match(res.headers.get("content-type")!, /application\/json/);
    assert.equal((await res.json()).error.code, "unauthorized");
  }
  assert.equal((await app.request("/v1/articles", withKey(), outside)).status, 200);
  assert.equal((await app.request("/health", {}, outside)).status, 200);
  assert.equal((await app.request("/ready", {}, outside)).status, 200);
});

Deno.test("AUTH_READS=false opens articles only, never review data, audits, export or models", async () => {
  const { app } = testApp(db, { AUTH_READS: "false" });
  assert.equal((await app.request("/v1/articles", {}, outside)).status, 200);
  for (
    const path of [
      "/v1/review/items",
      "/v1/review/items/1",
      "/v1/review/stats",
      "/v1/review/audit",
      "/v1/review/export",
      "/v1/review/export?format=csv",
      "/v1/review/shadow",
      "/v1/models",
      "/v1/models/v1",
      "/v1/access-audit",
    ]
  ) {
    assert.equal((await app.request(path, {}, outside)).status, 401, path);
  }
  assert.equal((await app.request("/v1/review/stats", withKey(), outside)).status, 200);
});

Deno.test("/metrics is open on loopback, else needs a key unless METRICS_PUBLIC is set", async () => {
  const { app } = testApp(db);
  for (const addr of ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"]) {
    assert.equal((await app.request("/metrics", {}, fromAddress(addr))).status, 200, addr);
  }
  assert.equal((await app.request("/metrics", {}, outside)).status, 401);
  assert.equal((await app.request("/metrics")).status, 401);
  assert.equal((await app.request("/metrics", withKey(), outside)).status, 200);
  // A proxy on this host forwarding someone else's request is not "local".
  const proxied = await app.request(
    "/metrics",
    { headers: { "x-forwarded-for": "127.0.0.1" } },
    fromAddress("127.0.0.1"),
  );
  assert.equal(proxied.status, 401);
  const open = testApp(db, { METRICS_PUBLIC: "true" }).app;
  assert.equal((await open.request("/metrics", {}, outside)).status, 200);
});

Deno.test("wrong keys from one address hit 429 with Retry-After before the key is checked", async () => {
  const { app } = testApp(db, { AUTH_FAILURES_PER_MINUTE: "3" });
  const attempt = (key: string, env = outside) => app.request("/v1/articles", withKey(key), env);
  for (let i = 0; i < 3; i++) assert.equal((await attempt(`wrong-key-${i}-xxxx`)).status, 401);
  const limited = await attempt("wrong-key-3-xxxx");
  assert.equal(limited.status, 429);
  assert.match(limited.headers.get("content-type")!, /application\/json/);
  const wait = Number(limited.headers.get("retry-after"));
  assert.ok(wait > 0 && wait <= 60, `Retry-After ${wait}`);
  assert.equal((await limited.json()).error.code, "tooManyFailures");
  // Not even the right key is compared from that address until the window ends.
  assert.equal((await attempt(ALICE_KEY)).status, 429);
  // Writes and /metrics count and refuse the same way.
  assert.equal((await app.request("/metrics", withKey(ALICE_KEY), outside)).status, 429);
  // Another address is not affected, and requests without a key are not attempts.
  assert.equal((await attempt(ALICE_KEY, fromAddress("198.51.100.7"))).status, 200);
  assert.equal((await app.request("/health", {}, outside)).status, 200);
});

Deno.test("rotating X-Forwarded-For from an untrusted socket does not help a guesser", async () => {
  const { app } = testApp(db, { AUTH_FAILURES_PER_MINUTE: "3" });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await app.request("/v1/articles", {
      headers: { "x-api-key": `wrong-key-${i}-xxxx`, "x-forwarded-for": `192.0.2.${i}` },
    }, outside);
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
});

Deno.test("behind a trusted proxy, X-Forwarded-For's right-most untrusted entry is the client", async () => {
  const { app } = testApp(db, { AUTH_FAILURES_PER_MINUTE: "2", TRUSTED_PROXIES: "10.0.0.0/8" });
  const proxy = fromAddress("10.1.2.3");
  const attempt = (xff: string, key = "wrong-key-xxxxxxx") =>
    app.request("/v1/articles", { headers: { "x-api-key": key, "x-forwarded-for": xff } }, proxy);
  assert.equal((await attempt("198.51.100.1")).status, 401);
  assert.equal((await attempt("198.51.100.1, 10.9.9.9")).status, 401); // two proxies
  assert.equal((await attempt("198.51.100.1")).status, 429);
  // A forged left-most entry does not change who the proxy saw.
  assert.equal((await attempt("192.0.2.77, 198.51.100.1")).status, 429);
  // Another client behind the same proxy has its own count.
  assert.equal((await attempt("198.51.100.2")).status, 401);
  assert.equal((await attempt("198.51.100.2", ALICE_KEY)).status, 200);
});

Deno.test("the request rate limit counts anonymous reads by socket, not X-Forwarded-For", async () => {
  const { app } = testApp(db, { AUTH_READS: "false", RATE_LIMIT_PER_MINUTE: "2" });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await app.request("/v1/articles", {
      headers: { "x-forwarded-for": `192.0.2.${i}` },
    }, outside);
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  assert.equal((await app.request("/v1/articles", {}, fromAddress("198.51.100.8"))).status, 200);
});

Deno.test("a reviewer's bulk accept and adjudication are 403 and audited; an admin's pass", async () => {
  const { app } = testApp(db);
  const post = (path: string, key: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify(body),
    });
  for (const key of [ALICE_KEY, BOB_KEY]) {
    const bulk = await post("/v1/review/bulk-accept", key, { label: "sport" });
    assert.equal(bulk.status, 403);
    assert.equal((await bulk.json()).error.code, "forbidden");
  }
  // Refused before validation: the attempt is audited whatever it sent.
  const adjudicate = await post("/v1/review/items/7/adjudicate", ALICE_KEY, { nonsense: true });
  assert.equal(adjudicate.status, 403);
  const audit = await app.request("/v1/access-audit?limit=3", withKey(ADMIN_KEY));
  const { items } = await audit.json();
  assert.deepEqual(
    items.map((r: { actor: string; action: string; target: string | null; outcome: string }) => [
      r.actor,
      r.action,
      r.target,
      r.outcome,
    ]),
    [
      ["alice", "adjudicate", "7", "denied"],
      ["bob", "bulkAccept", null, "denied"],
      ["alice", "bulkAccept", null, "denied"],
    ],
  );
  const admin = await post("/v1/review/bulk-accept", ADMIN_KEY, { label: "sport" });
  assert.equal(admin.status, 200);
  assert.deepEqual(await admin.json(), { accepted: 0, itemIds: [] });
  const missing = await post("/v1/review/items/999/adjudicate", ADMIN_KEY, {
    action: "label",
    label: "sport",
  });
  assert.equal(missing.status, 404);
});

Deno.test("a reviewer's flood of refused admin actions stores at most the per-minute limit", async () => {
  const { app } = testApp(db);
  const count = async () =>
    Number(
      (await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM access_audit WHERE actor = 'bob'",
      ))[0].n,
    );
  const before = await count();
  for (let i = 0; i < DENIED_PER_MINUTE + 20; i++) {
    const res = await app.request("/v1/review/bulk-accept", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": BOB_KEY },
      body: JSON.stringify({ label: "sport" }),
    });
    // Every attempt is still refused; only the record of it is sampled.
    assert.equal(res.status, 403);
    await res.body?.cancel();
  }
  assert.equal(await count() - before, DENIED_PER_MINUTE);
  // An admin's allowed actions are all recorded.
  for (let i = 0; i < DENIED_PER_MINUTE + 5; i++) {
    const res = await app.request("/v1/review/bulk-accept", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY },
      body: JSON.stringify({ label: "sport" }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  const [{ n }] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM access_audit WHERE actor = 'ops' AND outcome = 'allowed'",
  );
  assert.ok(Number(n) >= DENIED_PER_MINUTE + 5);
});
