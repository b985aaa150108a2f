import assert from "node:assert/strict";
import { AuthFailures } from "./auth_failures.ts";

Deno.test("AuthFailures counts per address in a one-minute window", () => {
  let now = 1_000_000;
  const failures = new AuthFailures(2, () => now);
  failures.record("a");
  assert.equal(failures.retryAfter("a"), 0);
  failures.record("a");
  assert.equal(failures.retryAfter("a"), 60);
  assert.equal(failures.retryAfter("b"), 0);
  now += 45_500;
  assert.equal(failures.retryAfter("a"), 15);
  now += 14_500;
  assert.equal(failures.retryAfter("a"), 0);
  failures.record("a");
  assert.equal(failures.retryAfter("a"), 0);
});

Deno.test("AuthFailures with a limit of 0 never refuses", () => {
  const failures = new AuthFailures(0);
  for (let i = 0; i < 100; i++) failures.record("a");
  assert.equal(failures.retryAfter("a"), 0);
});
