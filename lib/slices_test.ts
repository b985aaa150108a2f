import assert from "node:assert/strict";
import { slicesOf, yieldToEventLoop } from "./slices.ts";

Deno.test("slicesOf() cuts by item count and by characters, keeping order", () => {
  const items = Array.from({ length: 7 }, (_, i) => i);
  assert.deepEqual(slicesOf(items, () => 1, { maxItems: 3 }), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(slicesOf(["aaa", "bb", "c", "dddd"], (s) => s.length, { maxChars: 4 }), [
    ["aaa"],
    ["bb", "c"],
    ["dddd"],
  ]);
});

Deno.test("slicesOf() puts an item longer than the limit in a slice of its own", () => {
  assert.deepEqual(slicesOf(["a", "xxxxxxxx", "b"], (s) => s.length, { maxChars: 3 }), [
    ["a"],
    ["xxxxxxxx"],
    ["b"],
  ]);
  assert.deepEqual(slicesOf([], () => 1), []);
});

Deno.test("yieldToEventLoop() lets a timer scheduled before it run first", async () => {
  let fired = false;
  setTimeout(() => fired = true, 0);
  await Promise.resolve();
  assert.equal(fired, false);
  await yieldToEventLoop();
  assert.equal(fired, true);
});
