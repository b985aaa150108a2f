import assert from "node:assert/strict";
import { coalesce } from "./classifier.ts";
import type { Prediction } from "./metrics.ts";

/** A fake model run that records its batches and answers once `release()` is called. */
function fakeRun() {
  const runs: string[][] = [];
  let release = () => {};
  const run = (texts: string[]) => {
    runs.push(texts);
    return new Promise<Prediction[]>((resolve, reject) => {
      release = () =>
        texts.includes("boom")
          ? reject(new Error("model failed"))
          : resolve(texts.map((t) => ({ label: t, score: 1, scores: { [t]: 1 } })));
    });
  };
  return { runs, run, release: () => release() };
}

const labels = (ps: Prediction[]) => ps.map((p) => p.label);

Deno.test("coalesce(): calls arriving during a run share the next one, each gets its own", async () => {
  const model = fakeRun();
  const classify = coalesce(model.run, 4);
  const first = classify(["a"]);
  assert.deepEqual(model.runs, [["a"]], "a lone call starts at once");
  const waiting = [classify(["b", "c"]), classify(["d"]), classify(["e", "f"])];
  model.release();
  assert.deepEqual(labels(await first), ["a"]);
  await Promise.resolve();
  // b,c and d fit in 4 texts; e,f waits for the run after.
  assert.deepEqual(model.runs, [["a"], ["b", "c", "d"]]);
  model.release();
  assert.deepEqual(labels(await waiting[0]), ["b", "c"]);
  assert.deepEqual(labels(await waiting[1]), ["d"]);
  await Promise.resolve();
  assert.deepEqual(model.runs.at(-1), ["e", "f"]);
  model.release();
  assert.deepEqual(labels(await waiting[2]), ["e", "f"]);
});

Deno.test("coalesce(): a failed run rejects its callers only; later calls still run", async () => {
  const model = fakeRun();
  const classify = coalesce(model.run, 8);
  const first = classify(["a"]);
  const failing = [classify(["boom"]), classify(["x"])];
  model.release();
  await first;
  await Promise.resolve();
  model.release();
  for (const f of failing) await assert.rejects(f, /model failed/);
  const after = classify(["z"]);
  model.release();
  assert.deepEqual(labels(await after), ["z"]);
});
