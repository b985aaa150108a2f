// Cross-fitting machinery of the trainer: the fold split and running many independent fits
// on worker threads (train_worker.ts).

import type { FitJob, FitResult, FitSetup } from "./fit.ts";

/** The fits of k-fold cross-fitting over rows in shuffled `order`: fold f holds out every k-th row. */
export function crossFitJobs(order: readonly number[], folds: number, seed: number): FitJob[] {
  const jobs: FitJob[] = [];
  for (let f = 0; f < folds; f++) {
    jobs.push({
      rows: order.filter((_, i) => i % folds !== f).sort((a, b) => a - b),
      held: order.filter((_, i) => i % folds === f).sort((a, b) => a - b),
      seed: seed * 1_000 + f + 1,
      key: `s${seed}f${f}`,
    });
  }
  return jobs;
}

/**
 * Runs the fits on worker threads, one per core (at most one per job), each job with
 * its own seed, so the result does not depend on which finishes first. SGD is most of
 * the training time and the fits share nothing, so two cores train in about half the
 * time. Workers rather than processes: this is plain TypeScript, no native library.
 */
export async function runFits(
  setup: FitSetup,
  jobs: FitJob[],
  options: { onFitted: () => void },
): Promise<FitResult[]> {
  const results = new Array<FitResult>(jobs.length);
  let next = 0;
  const threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs.length));
  await Promise.all(Array.from({ length: threads }, async () => {
    const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
    try {
      worker.postMessage(setup);
      while (next < jobs.length) {
        const i = next++;
        results[i] = await new Promise<FitResult>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<FitResult | { error: string }>) =>
            "error" in e.data ? reject(new Error(e.data.error)) : resolve(e.data);
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`training worker failed: ${e.message}`));
          };
          worker.postMessage(jobs[i]);
        });
        options.onFitted();
      }
    } finally {
      worker.terminate();
    }
  }));
  return results;
}
