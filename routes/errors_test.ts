import assert from "node:assert/strict";
import { Hono } from "hono";
import { DbBusyError, DbUnavailableError } from "../db/mod.ts";
import type { AppEnv } from "./env.ts";
import { handleError } from "./errors.ts";

/** An app whose only route throws `err`, answered by the shared error handler. */
function throwing(err: unknown) {
  return new Hono<AppEnv>()
    .use((c, next) => {
      c.set("requestId", "req-1");
      return next();
    })
    .get("/", () => {
      throw err;
    })
    .onError(handleError);
}

for (const code of ["databaseBusy", "queryTimeout"] as const) {
  Deno.test(`handleError() answers DbBusyError ${code} with 503 and Retry-After`, async () => {
    const res = await throwing(new DbBusyError(code, "deadlock_detected in INSERT ...")).request(
      "/",
    );
    assert.equal(res.status, 503);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(res.headers.get("retry-after"), "5");
    const body = await res.json();
    assert.equal(body.error.code, code);
    assert.equal(body.error.requestId, "req-1");
    assert.doesNotMatch(body.error.message, /INSERT|deadlock_detected/, "no SQL in the answer");
  });
}

Deno.test("handleError() still answers DbUnavailableError with 503 serviceUnavailable", async () => {
  const res = await throwing(new DbUnavailableError("database unavailable (ECONNREFUSED)"))
    .request("/");
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, "serviceUnavailable");
});
