// Cross-fitting machinery of the trainer: the fold split and running many independent fits
// on worker threads (train_worker.ts), once (runFits) or round after round on the same
// workers (openFitPool).

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
  const workers = startWorkers(setup, jobs.length);
  try {
    await Promise.all(workers.map(async (worker) => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await fitOn(worker, jobs[i]);
        options.onFitted();
      }
    }));
  } finally {
    for (const worker of workers) worker.terminate();
  }
  return results;
}

/** Worker threads that fit jobs of one setup, each keeping the features of the rows it fitted. */
export interface FitPool {
  /**
   * Runs the fits, job i on worker i mod threads: a job with the `key` of an earlier one
   * (the same rows; other labels or weights) finds its features built on that worker.
   */
  run(jobs: FitJob[], options: { onFitted: () => void }): Promise<FitResult[]>;
  close(): void;
}

/**
 * A {@link FitPool} of one worker per core, at most `jobsPerRun`, each keeping the features
 * of every row set it is given (job i of a run always goes to the same worker).
 */
export function openFitPool(setup: FitSetup, jobsPerRun: number): FitPool {
  const threads = threadCount(jobsPerRun);
  const workers = startWorkers(
    { ...setup, cachedFeatures: Math.ceil(jobsPerRun / threads) },
    jobsPerRun,
  );
  return {
    async run(jobs, options) {
      const results = new Array<FitResult>(jobs.length);
      await Promise.all(workers.map(async (worker, w) => {
        for (let i = w; i < jobs.length; i += workers.length) {
          results[i] = await fitOn(worker, jobs[i]);
          options.onFitted();
        }
      }));
      return results;
    },
    close() {
      for (const worker of workers) worker.terminate();
    },
  };
}

function threadCount(jobs: number): number {
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, jobs));
}

function startWorkers(setup: FitSetup, maxJobs: number): Worker[] {
  return Array.from({ length: threadCount(maxJobs) }, () => {
    const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
    worker.postMessage(setup);
    return worker;
  });
}

function fitOn(worker: Worker, job: FitJob): Promise<FitResult> {
  return new Promise<FitResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FitResult | { error: string }>) =>
      "error" in e.data ? reject(new Error(e.data.error)) : resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`training worker failed: ${e.message}`));
    };
    worker.postMessage(job);
  });
}
