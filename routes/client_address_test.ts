import assert from "node:assert/strict";
import { Hono } from "hono";
import { addressSet, clientAddress, isLoopback } from "./client_address.ts";
import { fromAddress } from "../testing/routes/test_app.ts";

/** What `clientAddress(trusted)` says for a request from `socket` with `xff`. */
async function seen(trusted: string[], socket: string | null, xff?: string): Promise<string> {
  const addressOf = clientAddress(trusted);
  const app = new Hono().get("/", (c) => c.text(addressOf(c)));
  const headers: Record<string, string> = xff === undefined ? {} : { "x-forwarded-for": xff };
  return await (await app.request("/", { headers }, socket ? fromAddress(socket) : {})).text();
}

Deno.test("clientAddress() is the socket's address unless the socket is a trusted proxy", async () => {
  assert.equal(await seen([], "203.0.113.9", "192.0.2.1"), "203.0.113.9");
  assert.equal(await seen(["10.0.0.0/8"], "203.0.113.9", "192.0.2.1"), "203.0.113.9");
  assert.equal(await seen([], null, "192.0.2.1"), "unknown");
});

Deno.test("clientAddress() takes the right-most untrusted X-Forwarded-For entry", async () => {
  const trusted = ["10.0.0.0/8", "fd00::/8"];
  assert.equal(await seen(trusted, "10.0.0.1", "192.0.2.1"), "192.0.2.1");
  assert.equal(await seen(trusted, "10.0.0.1", "6.6.6.6, 192.0.2.1, 10.0.0.2"), "192.0.2.1");
  assert.equal(await seen(trusted, "fd00::1", "2001:db8::5"), "2001:db8::5");
  // Every hop trusted: the left-most one; no header: the proxy itself.
  assert.equal(await seen(trusted, "10.0.0.1", "10.0.0.3, 10.0.0.2"), "10.0.0.3");
  assert.equal(await seen(trusted, "10.0.0.1"), "10.0.0.1");
});

Deno.test("addressSet() and isLoopback() match addresses, ranges and IPv4-mapped IPv6", () => {
  const set = addressSet(["192.168.0.0/16", "2001:db8::/32", "203.0.113.7"]);
  assert.ok(set("192.168.4.5"));
  assert.ok(set("::ffff:192.168.4.5"));
  assert.ok(set("2001:db8:1::1"));
  assert.ok(set("203.0.113.7"));
  assert.ok(!set("203.0.113.8"));
  assert.ok(!set("not an address"));
  assert.ok(!set(undefined));
  assert.ok(!addressSet([])("192.168.4.5") && !addressSet([])(undefined));
  assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.9.9.9"));
  assert.ok(!isLoopback("10.0.0.1") && !isLoopback("::2") && !isLoopback(undefined));
});
