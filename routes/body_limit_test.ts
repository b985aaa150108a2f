import assert from "node:assert/strict";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { FORM_MAX_BYTES } from "./body_limit.ts";
import { signIn } from "../testing/routes/console/test_helpers.ts";
import { ALICE_KEY, testApp } from "../testing/routes/test_app.ts";

const { db, close } = await pgliteTestDb();
globalThis.addEventListener("unload", () => void close());

const CHUNK = 16 * 1024;

/**
 * A JSON body of `total` bytes made on demand, counting what was pulled; it errors
 * once `failAfter` bytes were read, so reading it whole cannot pass unnoticed.
 */
function countedBody(total: number, failAfter: number) {
  const counter = { pulled: 0 };
  const chunk = new TextEncoder().encode(`"${"x".repeat(CHUNK - 2)}",`);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= failAfter) {
        controller.error(new Error("read past the limit"));
        return;
      }
      if (counter.pulled >= total) return controller.close();
      counter.pulled += chunk.length;
      controller.enqueue(counter.pulled === chunk.length ? new TextEncoder().encode("[") : chunk);
    },
  }, { highWaterMark: 0 });
  return { stream, counter };
}

async function assertTooLarge(res: Response): Promise<void> {
  assert.equal(res.status, 413);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const body = await res.json();
  assert.equal(body.error.code, "payloadTooLarge");
  assert.equal(typeof body.error.requestId, "string");
}

const targets: Array<{ name: string; path: string; type: string; signedIn?: boolean }> = [
  { name: "the sign-in form", path: "/login", type: "application/json" },
  { name: "a path no route matches", path: "/no/such/path", type: "application/json" },
  { name: "a console form", path: "/models/promote", type: "application/json", signedIn: true },
  {
    name: "a console form posted urlencoded",
    path: "/models/promote",
    type: "application/x-www-form-urlencoded",
    signedIn: true,
  },
];

for (const t of targets) {
  Deno.test(`a streamed body far over the limit on ${t.name} is refused with 413 while read`, async () => {
    const { app } = testApp(db);
    const cookie = t.signedIn ? (await signIn(app)).cookie : undefined;
    const { stream, counter } = countedBody(300 * 1024 * 1024, 8 * FORM_MAX_BYTES);
    const res = await app.request(t.path, {
      method: "POST",
      headers: { "content-type": t.type, ...(cookie ? { cookie } : {}) },
      body: stream,
      // @ts-ignore: Deno's RequestInit takes `duplex` for a streamed body.
      duplex: "half",
    });
    await assertTooLarge(res);
    assert.ok(counter.pulled <= FORM_MAX_BYTES + 2 * CHUNK, `read ${counter.pulled} bytes`);
  });
}

Deno.test("a declared Content-Length over the limit is refused before the body is read", async () => {
  const { app } = testApp(db);
  const { stream, counter } = countedBody(300 * 1024 * 1024, 1);
  const res = await app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(300 * 1024 * 1024) },
    body: stream,
    // @ts-ignore: Deno's RequestInit takes `duplex` for a streamed body.
    duplex: "half",
  });
  await assertTooLarge(res);
  assert.equal(counter.pulled, 0);
});

Deno.test("/v1 keeps MAX_BODY_BYTES: a body under it passes where a form's would not", async () => {
  const { app } = testApp(db, { MAX_BODY_BYTES: String(256 * 1024) });
  const title = "t".repeat(100_000);
  const ok = await app.request("/v1/classify", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": ALICE_KEY },
    body: JSON.stringify({ texts: [title] }),
  });
  assert.notEqual(ok.status, 413);
  await ok.body?.cancel();
  const { stream, counter } = countedBody(300 * 1024 * 1024, 4 * 256 * 1024);
  const big = await app.request("/v1/classify", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": ALICE_KEY },
    body: stream,
    // @ts-ignore: Deno's RequestInit takes `duplex` for a streamed body.
    duplex: "half",
  });
  await assertTooLarge(big);
  assert.ok(counter.pulled <= 256 * 1024 + 2 * CHUNK);
});

Deno.test("a small sign-in body still reaches the sign-in form", async () => {
  const { app } = testApp(db);
  const res = await app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: "key=nope",
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
});
