import assert from "node:assert/strict";
import { crossFitJobs, openFitPool, runFits } from "./cross_fit.ts";
import { mulberry32, shuffleInPlace } from "./prng.ts";
import { prepareTraining } from "./train_data.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";

const SMALL = { buckets: 4096, subwordBuckets: 4096, epochs: 4 };

Deno.test("openFitPool() refits the same folds on other labels exactly as fresh workers do", async () => {
  const examples = toyCorpus(120, 5);
  const { h, labels, data } = prepareTraining(examples, SMALL);
  const jobs = crossFitJobs(shuffleInPlace([...examples.keys()], mulberry32(3)), 3, 3);
  // Every other row moved to the next label: the second round's fits see other targets.
  const targets = data.labels.map((y, row) => (row % 2 ? (y + 1) % labels.length : y));
  const setup = { data, labels, h };
  const pool = openFitPool(setup, jobs.length);
  let fitted = 0;
  let first, second;
  try {
    first = await pool.run(jobs, { onFitted: () => fitted++ });
    second = await pool.run(jobs.map((job) => ({ ...job, targets })), { onFitted: () => fitted++ });
  } finally {
    pool.close();
  }
  assert.equal(fitted, 2 * jobs.length);
  const fresh = await runFits(setup, jobs.map((job) => ({ ...job, targets })), {
    onFitted: () => {},
  });
  const logits = (results: typeof fresh) => results.map((r) => r.heldLogits.map((z) => [...z]));
  assert.deepEqual(logits(second), logits(fresh));
  assert.notDeepEqual(logits(second), logits(first));
});
