import assert from "node:assert/strict";
import { repeat } from "./serve_chores.ts";

Deno.test("stopping a chore waits for its run in flight, and no run starts after", async () => {
  let runs = 0;
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = repeat(1, "a test chore", async () => {
    runs++;
    started();
    await finished;
  });
  await running;
  let stopped = false;
  const stopping = stop().then(() => (stopped = true));
  await Promise.resolve();
  assert.equal(stopped, false, "stop() resolved while the run was in flight");
  finish();
  await stopping;
  assert.equal(stopped, true);
  // The interval is cleared: however long we wait, no second run.
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(runs, 1);
});
