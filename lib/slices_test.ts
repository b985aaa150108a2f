import assert from "node:assert/strict";
import { slicesOf, turnWhenBlocked, yieldToEventLoop } from "./slices.ts";

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

/** Holds the event loop for `ms`, as a long synchronous step does. */
function holdLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* busy */ }
}

Deno.test("turnWhenBlocked() gives a turn each time the loop has gone the budget without one", async () => {
  const turn = turnWhenBlocked(10);
  // The first step after the loop had a turn runs straight on, and starts the count.
  assert.equal(turn(), undefined);
  holdLoop(15);
  let fired = false;
  setTimeout(() => fired = true, 0);
  const first = turn();
  assert.ok(first instanceof Promise);
  await first;
  assert.equal(fired, true);
  // Counted again from that turn: a long step after it is followed by another turn.
  holdLoop(15);
  assert.ok(turn() instanceof Promise);
  await yieldToEventLoop();
  // After a turn the loop took by itself, the next step runs straight on.
  assert.equal(turn(), undefined);
  // A budget not used up never gives one.
  const never = turnWhenBlocked(60_000);
  for (let i = 0; i < 100; i++) assert.equal(never(), undefined);
  await yieldToEventLoop();
});
