import assert from "node:assert/strict";
import {
  createSession,
  csrfMatches,
  isSameOrigin,
  loginCookieName,
  sessionCookieName,
  sessionSecret,
  verifySession,
} from "./console_session.ts";

const alice = { name: "alice", key: "alice-secret-key-0001", role: "reviewer" } as const;
const bob = { name: "bob", key: "bob-secret-key-0002", role: "admin" } as const;
const keys = [alice, bob];
const SECRET = "x".repeat(40);

Deno.test("createSession() makes a cookie verifySession() accepts, naming the key", () => {
  const { value, session } = createSession(SECRET, alice, { ttlSeconds: 60 });
  const back = verifySession(SECRET, value, keys);
  assert.deepEqual(back, session);
  assert.equal(back?.name, "alice");
  assert.ok(session.csrf.length >= 20);
});

Deno.test("createSession() never puts the API key in the cookie", () => {
  const { value } = createSession(SECRET, alice, { ttlSeconds: 60 });
  const decoded = atob(value.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"));
  assert.ok(!value.includes(alice.key));
  assert.ok(!decoded.includes(alice.key));
});

Deno.test("verifySession() refuses a tampered payload or signature", () => {
  const { value } = createSession(SECRET, alice, { ttlSeconds: 60 });
  const [body, sig] = value.split(".");
  const payload = JSON.parse(atob(body.replace(/-/g, "+").replace(/_/g, "/")));
  const forged = btoa(JSON.stringify({ ...payload, n: "bob" })).replace(/=+$/, "")
    .replace(/\+/g, "-").replace(/\//g, "_");
  assert.equal(verifySession(SECRET, `${forged}.${sig}`, keys), null);
  const flipped = sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A");
  assert.equal(verifySession(SECRET, `${body}.${flipped}`, keys), null);
  assert.equal(verifySession(SECRET, body, keys), null);
  assert.equal(verifySession(SECRET, "", keys), null);
  assert.equal(verifySession(SECRET, "garbage.garbage", keys), null);
  assert.equal(verifySession(SECRET, undefined, keys), null);
});

Deno.test("verifySession() refuses another secret, an expired session, a removed or rotated key", () => {
  const now = Date.UTC(2025, 0, 1);
  const { value } = createSession(SECRET, alice, { ttlSeconds: 60, now });
  assert.ok(verifySession(SECRET, value, keys, now + 59_000));
  assert.equal(verifySession("y".repeat(40), value, keys, now), null);
  assert.equal(verifySession(SECRET, value, keys, now + 60_000), null);
  assert.equal(verifySession(SECRET, value, [bob], now), null);
  assert.equal(
    verifySession(
      SECRET,
      value,
      [{ name: "alice", key: "a-new-key-value", role: "reviewer" }, bob],
      now,
    ),
    null,
  );
});

Deno.test("verifySession() takes the role from the configured key, not from the cookie", () => {
  const { value } = createSession(SECRET, bob, { ttlSeconds: 60 });
  assert.equal(verifySession(SECRET, value, keys)?.role, "admin");
  // The same key demoted in the configuration: its open sessions are reviewers at once.
  assert.equal(
    verifySession(SECRET, value, [alice, { ...bob, role: "reviewer" }])?.role,
    "reviewer",
  );
  const reviewer = createSession(SECRET, alice, { ttlSeconds: 60 });
  assert.equal(verifySession(SECRET, reviewer.value, keys)?.role, "reviewer");
});

Deno.test("sessionSecret() takes SESSION_SECRET, else a random one, never one from the keys", () => {
  assert.equal(sessionSecret(SECRET), SECRET);
  // Two apps with the same keys and no secret do not agree: nothing about the keys
  // can be learnt from a cookie's signature.
  const a = sessionSecret();
  assert.notEqual(a, sessionSecret());
  assert.ok(a.length >= 43);
  assert.ok(!a.includes(alice.key));
});

Deno.test("session cookies are __Host- over https, plain over http", () => {
  assert.equal(sessionCookieName(true), "__Host-ni_session");
  assert.equal(sessionCookieName(false), "ni_session");
  assert.equal(loginCookieName(true), "__Secure-ni_login");
  assert.equal(loginCookieName(false), "ni_login");
});

Deno.test("csrfMatches() needs the session's own token", () => {
  const { session } = createSession(SECRET, alice, { ttlSeconds: 60 });
  const other = createSession(SECRET, alice, { ttlSeconds: 60 }).session;
  assert.equal(csrfMatches(session, session.csrf), true);
  assert.equal(csrfMatches(session, other.csrf), false);
  assert.equal(csrfMatches(session, ""), false);
  assert.equal(csrfMatches(session, undefined), false);
});

Deno.test("isSameOrigin() refuses cross-site Origin and Sec-Fetch-Site", () => {
  const url = "http://localhost:8001/queue/bulk-accept";
  const host = "localhost:8001";
  assert.equal(isSameOrigin({ url, host }), true);
  assert.equal(isSameOrigin({ url, host, origin: "http://localhost:8001" }), true);
  assert.equal(isSameOrigin({ url, host, secFetchSite: "same-origin" }), true);
  assert.equal(isSameOrigin({ url, host, origin: "https://evil.example" }), false);
  assert.equal(isSameOrigin({ url, host, origin: "null" }), false);
  assert.equal(isSameOrigin({ url, host, secFetchSite: "cross-site" }), false);
  assert.equal(isSameOrigin({ url, host, secFetchSite: "same-site" }), false);
});
