/**
 * A worker thread of the trainer (see runFits in train.ts): receives the tokenized data
 * once, then fit jobs one at a time, and answers each with its model and held-out logits.
 */
import type { Hyperparameters } from "./model.ts";
import { type FitJob, runFit, type Tokenized } from "./fit.ts";

interface Setup {
  data: Tokenized;
  labels: string[];
  h: Hyperparameters;
}

let setup: Setup | undefined;

self.onmessage = async (e: MessageEvent<Setup | FitJob>) => {
  if (!setup) {
    setup = e.data as Setup;
    return;
  }
  try {
    const result = await runFit(setup.data, setup.labels, setup.h, e.data as FitJob);
    self.postMessage(result);
  } catch (error) {
    self.postMessage({ error: String((error as Error)?.stack ?? error) });
  }
};
