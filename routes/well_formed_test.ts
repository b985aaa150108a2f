import assert from "node:assert/strict";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { ALICE_KEY, testApp } from "../testing/routes/test_app.ts";
import {
  firstUnstorable,
  isStorableText,
  LARGE_BODY_BYTES,
  wellFormedText,
} from "./well_formed.ts";

Deno.test("isStorableText() refuses a NUL and an unpaired surrogate, and keeps the rest", () => {
  assert.equal(isStorableText("naïve 😀 \u200f text"), true);
  assert.equal(isStorableText("a\u0000b"), false);
  assert.equal(isStorableText("\ud800"), false);
  assert.equal(isStorableText("x\udc00"), false);
});

Deno.test("firstUnstorable() names the first bad string, deep in a body, without recursion", () => {
  assert.equal(firstUnstorable({ a: ["ok", { b: "\ud800" }] }), "a.1.b");
  assert.equal(firstUnstorable({ "\u0000": 1 }), "\u0000");
  let deep: unknown = "\u0000";
  for (let i = 0; i < 20_000; i++) deep = [deep];
  assert.equal(firstUnstorable(deep)?.split(".").length, 20_000);
  assert.equal(firstUnstorable({ a: [1, null, true, "fine"] }), null);
});

Deno.test("a NUL or an unpaired surrogate in a path, query or JSON body is a 422, not a 500", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(db);
    const key = { "x-api-key": ALICE_KEY };
    const cases: Array<[string, RequestInit]> = [
      ["/v1/articles?language=%00", { headers: key }],
      ["/v1/articles?q=a%00b", { headers: key }],
      ["/v1/models/%00", { headers: key }],
      ["/v1/articles", {
        method: "POST",
        headers: { ...key, "content-type": "application/json" },
        body: '{"title": "\\ud800"}',
      }],
      ["/v1/articles", {
        method: "POST",
        headers: { ...key, "content-type": "application/json" },
        body: '{"articles": [{"title": "ok", "body": "a\\u0000b"}]}',
      }],
    ];
    for (const [url, init] of cases) {
      const res = await app.request(url, init);
      assert.equal(res.status, 422, url);
      const body = await res.json();
      assert.equal(body.error.code, "validationFailed");
    }
    const ok = await app.request("/v1/articles", {
      method: "POST",
      headers: { ...key, "content-type": "application/json" },
      body: JSON.stringify({ title: "Fine 😀", body: "Text with \u200f marks." }),
    });
    assert.equal(ok.status, 201);
  } finally {
    await close();
  }
});

Deno.test("wellFormedText() gives the event loop a turn after parsing a large JSON body, not a small one", async () => {
  const { Hono } = await import("hono");
  const app = new Hono().use(wellFormedText()).post("/", (c) => c.text(String(timerFired)));
  let timerFired = false;
  const send = async (body: string) => {
    timerFired = false;
    const request = new Request("http://x/", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(body.length) },
      body,
    });
    // A timer set now fires at the next turn of the loop: it has fired by the time the
    // route runs only if the middleware gave one.
    setTimeout(() => timerFired = true, 0);
    const answer = await (await app.request(request)).text();
    await new Promise((resolve) => setTimeout(resolve, 0));
    return answer;
  };
  assert.equal(await send(JSON.stringify({ text: "short" })), "false");
  const large = JSON.stringify({ text: "x".repeat(LARGE_BODY_BYTES) });
  assert.equal(await send(large), "true");
});

Deno.test("a JSON body is parsed once: the route's validator gets the value the text check parsed", async () => {
  const { db, close } = await pgliteTestDb();
  const parse = JSON.parse;
  try {
    const { app } = testApp(db);
    const body = JSON.stringify({ title: "Harbour reopens", body: "Ships unload grain again." });
    let parses = 0;
    JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
      if (text === body) parses++;
      return parse(text, reviver);
    };
    const res = await app.request("/v1/articles", {
      method: "POST",
      headers: { "x-api-key": ALICE_KEY, "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 201);
    assert.equal(parses, 1);
  } finally {
    JSON.parse = parse;
    await close();
  }
});
