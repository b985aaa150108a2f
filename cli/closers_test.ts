import assert from "node:assert/strict";
import { Closers } from "./closers.ts";

Deno.test("Closers.close() runs closers newest first, awaiting each, and each once", async () => {
  const closers = new Closers();
  const ran: string[] = [];
  closers.push(() => ran.push("db"));
  closers.push(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    ran.push("models");
  });
  closers.push(() => ran.push("chores"));
  await closers.close();
  assert.deepEqual(ran, ["chores", "models", "db"]);
  await closers.close();
  assert.deepEqual(ran, ["chores", "models", "db"]);
});

Deno.test("Closers.close() stops at a closer that fails and leaves the rest for a retry", async () => {
  const closers = new Closers();
  const ran: string[] = [];
  closers.push(() => ran.push("db"));
  closers.push(() => Promise.reject(new Error("metrics would not close")));
  await assert.rejects(closers.close(), /metrics would not close/);
  assert.deepEqual(ran, []);
  await closers.close();
  assert.deepEqual(ran, ["db"]);
});
