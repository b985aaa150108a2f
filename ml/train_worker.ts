/**
 * A worker thread of the trainer (see runFits in train.ts): receives the tokenized data
 * once, then fit jobs one at a time, and answers each with its model and held-out logits.
 */
import { type FitJob, type FitSetup, runFit } from "./fit.ts";
import { FeatureCache } from "./fit_features.ts";

let setup: FitSetup | undefined;
let cache = new FeatureCache();

self.onmessage = async (e: MessageEvent<FitSetup | FitJob>) => {
  if (!setup) {
    setup = e.data as FitSetup;
    if (setup.cachedFeatures) cache = new FeatureCache(setup.cachedFeatures);
    return;
  }
  try {
    const result = await runFit(setup, e.data as FitJob, cache);
    self.postMessage(result);
  } catch (error) {
    self.postMessage({ error: String((error as Error)?.stack ?? error) });
  }
};
