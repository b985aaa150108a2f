// deno-lint-ignore-file no-console
// Benchmarks the trainer on a label set it was not tuned on, and checks it did not get worse
// on the one it was:
//
// 1. HuffPost sample (29 skewed categories; text = headline . short_description, label =
//    category): a stratified 80/20 split with a fixed seed. The trainer as `newsintel train`
//    runs it (3-fold cross-fitting, hyperparameter search) on the 80%, scored on the 20%,
//    beside TF-IDF (word 1-2-grams + char 2-5-grams, sublinear tf) + LinearSVC-style
//    one-vs-rest squared-hinge SVM (C = 1, class_weight balanced; baseline_svm.ts) on the same
//    split. Targets: macro-F1 and accuracy both at least the baseline's; training 10k rows in
//    at most 30 s.
// 2. AG News sample, 5-fold out-of-fold accuracy of the default model as `newsintel train
//    --folds 5` trains it. Before the search and class weights: 0.8985 (`deno task cli train
//    --folds 5 --out tmp/x --json`, metrics.report.accuracy, on the unchanged trainer).
// 3. Noise-aware training on the AG News sample: trained on the annotators' `label` column
//    (a fifth disagrees with `gt`) of a random 80%, scored against `gt` on the other 20%,
//    with --clean none, drop and weight (default hyperparameters, no search).
//
// Measured (2 cores shared with other work, so wall times are not the machine's): HuffPost
// held out, trainer macro-F1 0.436 / accuracy 0.680 (72.9 s CPU for 8k rows, search included)
// vs baseline 0.406 / 0.693; before the search and class weights the trainer's 3-fold figures
// were 0.226 / 0.635. AG News 5-fold accuracy 0.8987 (before 0.8985; 47.9 s CPU). Noisy AG News:
// --clean none 0.838, drop 0.852, weight 0.846 against gt.
//
//   deno task bench taxonomy                    (all three)
//   deno run --allow-all bench/taxonomy.ts [huffpost] [agnews] [noise]

import process from "node:process";
import { join } from "node:path";
import { readDataset } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import type { CleanMode } from "../ml/class_weights.ts";
import { evaluate, type Prediction } from "../ml/metrics.ts";
import { encodeWords, modelLogits, softmax, type TextClassifierModel } from "../ml/model.ts";
import { normalizeNewsText } from "../ml/normalize.ts";
import { mulberry32, shuffleInPlace } from "../ml/prng.ts";
import { type Example, type TrainOptions, trainTextClassifier } from "../ml/train.ts";
import { createWordSplitter } from "../ml/word_splitter.ts";
import { predictLinearSvc, tfidfFeatures, trainLinearSvc } from "./baseline_svm.ts";

const HUFFPOST = join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl");
const AGNEWS = join(import.meta.dirname!, "../data/agnews/train_10k.csv");
/** `newsintel train --folds 5` on the AG News sample before this benchmark's changes. */
const AGNEWS_BEFORE = 0.8985;
/** What `newsintel train` passes the trainer by default (3 folds, search on). */
const CLI_DEFAULTS: TrainOptions = { validationFraction: 1 / 3, calibrationFolds: 3, search: true };

async function examples(path: string, options: Parameters<typeof readDataset>[2]) {
  const out: Example[] = [];
  for await (const r of readDataset(path, undefined, options)) {
    out.push({ text: articleText(r.title, r.body), label: r.label! });
  }
  return out;
}

/** Stratified split: a share `test` of each label's rows (rounded) held out, fixed seed. */
function stratifiedSplit<T extends { label: string }>(rows: T[], test: number, seed: number) {
  const random = mulberry32(seed);
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), i]));
  const held = new Set<number>();
  for (const label of [...byLabel.keys()].sort()) {
    const idx = shuffleInPlace(byLabel.get(label)!, random);
    for (const i of idx.slice(0, Math.round(idx.length * test))) held.add(i);
  }
  return {
    train: rows.filter((_, i) => !held.has(i)),
    test: rows.filter((_, i) => held.has(i)),
    heldIndex: [...held].sort((a, b) => a - b),
  };
}

function predictAll(model: TextClassifierModel, texts: string[]): Prediction[] {
  const split = createWordSplitter();
  return texts.map((t) => {
    const p = softmax(modelLogits(model, encodeWords(model, split(normalizeNewsText(t)))));
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    return { label: model.labels[best], score: p[best], scores: {} };
  });
}

/** Wall and CPU seconds (all threads of this process) of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

async function huffpost() {
  const rows = await examples(HUFFPOST, {
    fields: { text: ["headline", "short_description"], label: "category" },
  });
  const { train, test } = stratifiedSplit(rows, 0.2, 42);
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const gold = test.map((e) => e.label);
  console.error(
    `HuffPost: ${train.length} train, ${test.length} test rows, ${labels.length} labels`,
  );

  const trained = await timed(() => trainTextClassifier(train, { ...CLI_DEFAULTS, labels }));
  const ours = evaluate(gold, predictAll(trained.value, test.map((e) => e.text)), labels);
  const search = trained.value.validation?.search;
  console.error(
    `  trainer: macro-F1 ${ours.macroF1.toFixed(4)}, accuracy ${ours.accuracy.toFixed(4)}, ` +
      `${trained.wall.toFixed(1)} s wall, ${trained.cpu.toFixed(1)} s CPU`,
  );

  const svm = await timed(() => {
    const x = tfidfFeatures(train.map((e) => e.text), test.map((e) => e.text));
    const y = Int32Array.from(train, (e) => labels.indexOf(e.label));
    const model = trainLinearSvc(x.train, y, labels.length, { C: 1, balanced: true });
    const predicted = predictLinearSvc(model, x.test);
    return Promise.resolve(
      evaluate(
        gold,
        [...predicted].map((c) => ({ label: labels[c], score: 1, scores: {} })),
        labels,
      ),
    );
  });
  const base = svm.value;
  console.error(
    `  TF-IDF + LinearSVC (balanced): macro-F1 ${base.macroF1.toFixed(4)}, accuracy ${
      base.accuracy.toFixed(4)
    }, ${svm.wall.toFixed(1)} s`,
  );
  const never = (r: typeof ours) => Object.values(r.perClass).filter((c) => c.recall === 0).length;
  return {
    train: train.length,
    test: test.length,
    labels: labels.length,
    trainer: {
      macroF1: ours.macroF1,
      accuracy: ours.accuracy,
      labelsNeverPredictedRight: never(ours),
      trainSecondsWall: trained.wall,
      trainSecondsCpu: trained.cpu,
      hyperparameters: trained.value.hyperparameters,
      searchTrials: search?.trials.length ?? 0,
    },
    baseline: {
      macroF1: base.macroF1,
      accuracy: base.accuracy,
      labelsNeverPredictedRight: never(base),
      seconds: svm.wall,
    },
    ratio: { macroF1: ours.macroF1 / base.macroF1, accuracy: ours.accuracy / base.accuracy },
    targetsMet: ours.macroF1 >= base.macroF1 && ours.accuracy >= base.accuracy,
  };
}

async function agnews() {
  const rows = await examples(AGNEWS, {});
  const trained = await timed(() =>
    trainTextClassifier(rows, { validationFraction: 0.2, calibrationFolds: 5, search: true })
  );
  const v = trained.value.validation!;
  console.error(
    `AG News 5-fold out-of-fold: accuracy ${
      v.report.accuracy.toFixed(4)
    } (before: ${AGNEWS_BEFORE}), ` +
      `macro-F1 ${v.report.macroF1.toFixed(4)}, ${trained.wall.toFixed(1)} s wall, ${
        trained.cpu.toFixed(1)
      } s CPU`,
  );
  return {
    accuracy: v.report.accuracy,
    macroF1: v.report.macroF1,
    before: AGNEWS_BEFORE,
    notWorse: v.report.accuracy >= AGNEWS_BEFORE,
    trainSecondsWall: trained.wall,
    trainSecondsCpu: trained.cpu,
    hyperparameters: trained.value.hyperparameters,
  };
}

async function noise() {
  const given = await examples(AGNEWS, { labelColumn: "label" });
  const gt = (await examples(AGNEWS, { labelColumn: "gt" })).map((e) => e.label);
  const random = shuffleInPlace([...given.keys()], mulberry32(7));
  const testIdx = random.slice(0, Math.round(given.length * 0.2)).sort((a, b) => a - b);
  const held = new Set(testIdx);
  const train = given.filter((_, i) => !held.has(i));
  const labels = [...new Set(gt)].sort();
  const out: Record<
    string,
    { accuracy: number; macroF1: number; cleaned: number; seconds: number }
  > = {};
  for (const clean of ["none", "drop", "weight"] as CleanMode[]) {
    const trained = await timed(() =>
      trainTextClassifier(train, { ...CLI_DEFAULTS, labels, clean })
    );
    const r = evaluate(
      testIdx.map((i) => gt[i]),
      predictAll(trained.value, testIdx.map((i) => given[i].text)),
      labels,
    );
    out[clean] = {
      accuracy: r.accuracy,
      macroF1: r.macroF1,
      cleaned: trained.value.validation?.clean?.rows ?? 0,
      seconds: trained.wall,
    };
    console.error(
      `AG News noisy labels, --clean ${clean}: accuracy vs gt ${r.accuracy.toFixed(4)}, macro-F1 ${
        r.macroF1.toFixed(4)
      }, ${out[clean].cleaned} rows cleaned, ${trained.wall.toFixed(1)} s`,
    );
  }
  return { train: train.length, test: testIdx.length, ...out };
}

export async function main(parts: string[] = []) {
  const want = (p: string) => parts.length === 0 || parts.includes(p);
  return {
    ...(want("huffpost") ? { huffpost: await huffpost() } : {}),
    ...(want("agnews") ? { agnews: await agnews() } : {}),
    ...(want("noise") ? { noise: await noise() } : {}),
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(Deno.args), null, 2));
