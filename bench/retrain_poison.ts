// deno-lint-ignore-file no-console
// A poisoned retrain on the AG News sample, as an attacker with one reviewer key would try
// it: relabel 1,625 Sports articles as Business, then retrain. Compares the gate before
// (evaluation set = a 20% share of the reviewed labels, the attacker's own; promoted on a
// tie; no minimum size) with the gate now (the fixed held-out file always in, only labels
// two reviewers agreed on, a margin, a tolerance on the fixed file, a minimum size).
// Models train in-process with the default hyperparameters (no calibration: the argmax is
// what is scored), on the bundled sample minus its held-out tenth. "before" scores the same
// candidate on the old evaluation set.
// Measured (9,001 training rows, 999 fixed, 2 shared cores, ~8 s per model): before, the
// attacker's 324 held-out labels judge: candidate 1.000 against active 0.000, promoted;
// now: 999 fixed examples, 0 agreed labels, candidate 0.603 against active 0.908 on the
// fixed file, not promoted; the candidate calls 241 of the fixed file's 247 Sports
// articles Business (the active model: 1).
//
//   deno task bench retrain-poison     (or: deno run --allow-all bench/retrain_poison.ts)

import { readDataset } from "../datasets/mod.ts";
import type { ReviewedLabel } from "../db/review/mod.ts";
import { evaluate, type Prediction } from "../ml/metrics.ts";
import { encodeWords, modelLogits, type TextClassifierModel } from "../ml/model.ts";
import { normalizeNewsText } from "../ml/normalize.ts";
import { type Example, trainTextClassifier } from "../ml/train.ts";
import { createWordSplitter } from "../ml/word_splitter.ts";
import { DEFAULT_TRAINING_DATA } from "../services/model_runtime.ts";
import {
  fixedEvalExamples,
  inEvalSet,
  MIN_AGREEING_REVIEWERS,
  retrainData,
  withoutHeldOut,
} from "../services/retrain_data.ts";
import { gateDecision } from "../services/retrain_gate.ts";
import { examplesFrom } from "../services/training.ts";

const FLIPS = 1625;

function predictor(model: TextClassifierModel) {
  const words = createWordSplitter();
  return (texts: readonly string[]): Prediction[] =>
    texts.map((text) => {
      const z = modelLogits(model, encodeWords(model, words(normalizeNewsText(text))), {
        calibrated: false,
      });
      let best = 0;
      for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
      return { label: model.labels[best], score: 1, scores: {} };
    });
}

function macroF1(predict: (t: readonly string[]) => Prediction[], examples: readonly Example[]) {
  const predicted = predict(examples.map((e) => e.text));
  const labels = [...new Set([...examples.map((e) => e.label), ...predicted.map((p) => p.label)])];
  return evaluate(examples.map((e) => e.label), predicted, labels).macroF1;
}

export async function main() {
  const bundled = await examplesFrom(readDataset(DEFAULT_TRAINING_DATA));
  const base = withoutHeldOut(bundled);
  const fixed = await fixedEvalExamples();
  console.error(`${base.length} training rows, ${fixed.length} held out as the fixed file`);
  let started = performance.now();
  const active = predictor(await trainTextClassifier(base, { validationFraction: 0 }));
  console.error(`active model trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // One reviewer ("mallory") relabels Sports articles as Business; ids 1.. in file order.
  const reviewed: ReviewedLabel[] = base.filter((e) => e.label === "Sports").slice(0, FLIPS)
    .map((e, i) => ({
      articleId: i + 1,
      title: e.text,
      body: "",
      label: "Business",
      predictedLabel: "Sports",
      modelVersion: "active",
      decidedAt: new Date(0).toISOString(),
    }));
  const data = retrainData(base, reviewed, { evalShare: 0.2, fixed, agreed: new Set() });
  started = performance.now();
  const candidate = predictor(await trainTextClassifier(data.train, { validationFraction: 0 }));
  console.error(`candidate trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Before: judged on the attacker's own held-out share, promoted on a tie.
  const oldEval = reviewed.filter((r) => inEvalSet(r.articleId, 0.2))
    .map((r) => ({ text: r.title, label: r.label }));
  const before = {
    evalSize: oldEval.length,
    candidate: macroF1(candidate, oldEval),
    active: macroF1(active, oldEval),
  };
  const beforePromoted = before.candidate >= before.active;

  const scores = (p: typeof active) => ({
    all: macroF1(p, data.eval),
    fixed: macroF1(p, data.eval.slice(0, data.fixedSize)),
  });
  const now = { candidate: scores(candidate), active: scores(active) };
  const decision = gateDecision(
    { trigger: "api", evalSize: data.eval.length, candidate: now.candidate, active: now.active },
    { minEval: 200, margin: 0.005, fixedTolerance: 0.01, autoPromote: false },
  );
  const sports = fixed.filter((e) => e.label === "Sports").map((e) => e.text);
  const saysBusiness = (p: typeof active) => p(sports).filter((x) => x.label === "Business").length;
  const result = {
    flips: FLIPS,
    minAgreeingReviewers: MIN_AGREEING_REVIEWERS,
    before: { ...before, promoted: beforePromoted },
    now: {
      evalSize: data.eval.length,
      agreedEvalSize: data.eval.length - data.fixedSize,
      ...now,
      promoted: decision.promote,
      reason: decision.reason,
    },
    fixedSportsSaidBusiness: {
      of: sports.length,
      active: saysBusiness(active),
      candidate: saysBusiness(candidate),
    },
    targets: { promotedNow: false },
  };
  console.error(JSON.stringify(result, null, 2));
  return result;
}

if (import.meta.main) await main();
