import assert from "node:assert/strict";
import { inStatements, ROWS_PER_STATEMENT, statementTurn } from "./statements.ts";
import { TURN_BUDGET_MS } from "../lib/slices.ts";

/** Holds the event loop for `ms`, as a long synchronous statement does. */
function holdLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* busy */ }
}

Deno.test("inStatements() writes consecutive chunks of at most the bound, in order", async () => {
  const rows = Array.from({ length: ROWS_PER_STATEMENT * 2 + 3 }, (_, i) => i);
  const chunks: number[][] = [];
  const out = await inStatements(rows, (chunk) => {
    chunks.push(chunk);
    return Promise.resolve(chunk.length);
  });
  assert.deepEqual(out, [ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 3]);
  assert.deepEqual(chunks.flat(), rows);
  assert.deepEqual(await inStatements([], () => Promise.resolve(1)), []);
  assert.deepEqual(await inStatements([1, 2, 3], (c) => Promise.resolve(c), 2), [[1, 2], [3]]);
});

Deno.test("inStatements() gives the event loop a turn between chunks once it was held", async () => {
  let fired = false;
  const seen: boolean[] = [];
  statementTurn();
  setTimeout(() => fired = true, 0);
  // Each chunk holds the loop longer than the budget, as a long statement would: the
  // timer runs before the next chunk is written, not after the last.
  await inStatements([1, 2, 3], () => {
    seen.push(fired);
    holdLoop(TURN_BUDGET_MS + 5);
    return Promise.resolve();
  }, 1);
  assert.equal(seen.at(-1), true, JSON.stringify(seen));
});

Deno.test("inStatements() runs a write of one chunk straight on, however long the loop was held", async () => {
  let fired = false;
  statementTurn();
  setTimeout(() => fired = true, 0);
  holdLoop(TURN_BUDGET_MS + 5);
  const seen = await inStatements([1, 2], () => Promise.resolve(fired));
  assert.deepEqual(seen, [false]);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(fired, true);
});
