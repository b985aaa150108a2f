import assert from "node:assert/strict";
import { DeniedSampler } from "./denied_sampler.ts";

Deno.test("DeniedSampler.admit() records perMinute refusals a key, then reports the rest", () => {
  let now = 0;
  const sampler = new DeniedSampler(3, () => now);
  const verdicts = Array.from({ length: 5 }, () => sampler.admit("alice"));
  assert.deepEqual(verdicts.map((v) => v.record), [true, true, true, false, false]);
  // Another key has its own count.
  assert.equal(sampler.admit("bob").record, true);
  now += 60_000;
  // The next minute: recorded again, saying two were left out before it.
  assert.deepEqual(sampler.admit("alice"), { record: true, leftOut: 2 });
  assert.deepEqual(sampler.admit("alice"), { record: true, leftOut: 0 });
});
