// deno-lint-ignore-file no-console
// Benchmarks the trainer on a label set it was not tuned on, and checks it did not get worse
// on the one it was:
//
// 1. HuffPost sample (29 skewed categories; text = headline . short_description, label =
//    category): stratified 80/20 splits with fixed seeds (three of them: one split moves
//    accuracy by about half a point). The trainer as `newsintel train` runs it (3-fold
//    cross-fitting, hyperparameter search) on the 80%, scored on the 20%, beside TF-IDF (word
//    1-2-grams + char 2-5-grams, sublinear tf) + LinearSVC-style one-vs-rest squared-hinge SVM
//    (C = 1, class_weight balanced; baseline_svm.ts) on the same split, and the same SVM with
//    a third block, the SIF-weighted mean of the words' GloVe vectors (the GloVe baseline).
//    Then the trainer on all 10k rows, timed. Targets: mean macro-F1 and accuracy both at least
//    the GloVe baseline's; training 10k rows in at most 30 s.
// 2. AG News sample, 5-fold out-of-fold accuracy of the first-start recipe (no search), with
//    and without word vectors, in the same run. Before word vectors: 0.8987.
// 3. Noise-aware training on the AG News sample: trained on the annotators' `label` column
//    (a fifth disagrees with `gt`) of a random 80%, scored against `gt` on the other 20%,
//    with --clean none, drop and weight (as `newsintel train` runs them, search on).
//
// History (figures are deterministic for the seeds; times move with the load). Before word
// vectors, idle 2-core machine: HuffPost mean of 3 splits, trainer macro-F1 0.4440 / accuracy
// 0.6818 vs baseline 0.4088 / 0.6950 (before the search and class weights 0.226 / 0.635);
// training all 10k rows 20.2 s wall, 34.7 s CPU; AG News 5-fold 0.8987; noisy AG News --clean
// none 0.838, drop 0.852, weight 0.846. The search (ml/search.ts) scores each candidate on one
// fold (every candidate on every fold took three quarters of the training time); choosing by
// macro-F1 alone gave 0.432 / 0.674 against 0.444 / 0.682 for the mean of the two.
//
// With word vectors (GloVe 6B 100-d; load average about 14): trainer 0.4754 / 0.6882 against
// the GloVe baseline 0.4443 / 0.7056 and the plain one 0.4088 / 0.6950; AG News 5-fold 0.8985
// without vectors, 0.9002 with them. Then near-ties broken by accuracy on skewed label sets and
// the SIF dense block at scale 0.6 instead of 0.3 (load 8-14): trainer 0.4588 / 0.6923 (split
// 42: 0.4694 / 0.7061; split 1: 0.4384 / 0.6692; split 2: 0.4687 / 0.7016), GloVe baseline
// 0.4443 / 0.7056 (0.4504 / 0.7046, 0.4496 / 0.7076, 0.4328 / 0.7046): macro-F1 1.5 points
// above it, accuracy 1.3 below, the accuracy target not met. Tried then on the training
// splits' out-of-fold predictions and left out: class-weight power 0.75 and 1, lambda 1e-5 to
// 1e-4, 12 epochs, character 2-5-grams or 3-5-grams, IDF^1 with sub-word weight 1, SGD with a
// linearly decaying step. Training all 10k rows alone, twice each (load 5-7): 35.7 and 41.1 s
// CPU, 45-94 s wall, peak RSS 1.13-1.17 GB. Noisy AG News (search on): --clean none 0.8375,
// drop 0.8420, weight 0.8445.
//
// The last run of this code (load average 5-14): the figures of the paragraph above, GloVe
// baseline the same; training all 10k rows 134.1 s wall, 77.6 s CPU; peak RSS of the whole
// HuffPost part 1.68 GB (/usr/bin/time -v). The first-start model (`/usr/bin/time -v deno run
// --allow-all main.ts train --no-search`, AG News 10k), this code and main's alternately (load
// 5-6): 76.9 and 28.5 s wall against 63.5 and 24.1, peak RSS 1.41-1.54 GB against 1.49-1.51
// (the trainer is the same code in both: the spread is the load's).
//
// Why the GloVe baseline wins on accuracy (diagnosis on the splits above, printed per split as
// rowsRightAgainstGloveByLabel and heldOutByTau; no setting was chosen from them). The trainer
// loses rows on the largest labels and wins them on mid-sized ones: split 42 WORLD NEWS -14,
// POLITICS -10, CRIME +11; split 1 POLITICS -48, U.S. NEWS -28, WORLD NEWS -16, CRIME +10 (it
// predicts POLITICS 596 times for 672 gold rows, the baseline 671). Two causes. The trade-off:
// on split 1 the search took class-weight power 0.25 on top of tau 0.6; with class weights
// fixed at 0 the trainer scores 0.4374 / 0.6802. Accuracy peaks at tau 0-0.5 and falls 1-2
// points per 0.1 beyond, where the chosen taus (0.5-0.6) sit. The model: no single tau meets
// both targets (at the chosen class weights the best for accuracy, 0.4, gives 0.4468 / 0.7013 on the mean of the splits),
// and on split 1 no tau reaches the baseline's accuracy (0.6952 at most, tau 0.25). The
// balanced class weights are not where the baseline's accuracy comes from: on an inner 75/25
// split of split 1's training rows the SVM scores 0.4183 / 0.6922 balanced, 0.3650 / 0.6858
// without. Tried in this light and left out, each judged on training rows only (out-of-fold on
// split 1's training rows at fixed settings, 0.4231 / 0.6886 before; or inner 75/25 splits of
// the training rows of splits 1 and 2, 0.4319 / 0.6863 and 0.4562 / 0.6803 before): averaged
// SGD (Polyak, from the second epoch) 0.3743 / 0.6865; the character n-grams normalised as a
// block of their own 0.4015 / 0.6873; 2^19 hash buckets 0.4251 / 0.6871; every candidate scored
// on all three folds (twice the fits) 0.4302 / 0.6868 and 0.4562 / 0.6803; tau on a 0.05 grid
// judged by its scores averaged over ±0.1 0.4505 / 0.6778 and 0.4339 / 0.6823; the refit given
// only a fold model's number of SGD updates 0.4242 / 0.6838 (split 1). On the inner splits the
// refit's best tau lay above the chosen one (0.6 for 0.5, 0.75 for 0.6), on the splits above
// below it: no systematic shift from fold models to the refit to correct for.
//
// The squared hinge (this code): SGD fits one-vs-rest squared hinge, a LinearSVC's loss
// (ml/sgd.ts; step 0.05; its scores times 8 so the prior correction's grid and the
// calibration keep their ranges), the search's SIF dense block sits at 0.8 instead of 0.6, and
// on skewed label sets the search has no near-tie rule (the higher mean of macro-F1 and
// accuracy wins). Chosen on training rows only. At fixed settings (class weights 0.25, IDF^1.5,
// sub-words 0.6, SIF 0.6), 3-fold out-of-fold on the training part of each of the three splits
// (24,000 predictions), each loss at its best tau: softmax 0.4237 / 0.6873 (tau 0.4; 0.6899
// accuracy at most), squared hinge 0.4418 / 0.6939 (0.6971 at most), the GloVe baseline on the
// same folds 0.4342 / 0.6911; the hinge with SIF 0.8 0.4448 / 0.6949. The whole trainer on
// inner 75/25 splits of the three training parts: softmax 0.4387 / 0.6776; hinge with the
// accuracy near-tie rule 0.4291 / 0.6912, with SIF 0.8 0.4348 / 0.6891, with no near-ties
// 0.4447 / 0.6907 (macro-F1 near-ties 0.4400 / 0.6809); the GloVe baseline 0.4328 / 0.6881.
// Held out, once (load average 2-4.5): trainer 0.4692 / 0.6955 (split 42: 0.4757 / 0.6982;
// split 1: 0.4873 / 0.6837; split 2: 0.4446 / 0.7046; class weights 0.5 and SIF 0.8 chosen on
// all three, tau 0.6, 0.75, 0.6), GloVe baseline 0.4443 / 0.7056 as before: macro-F1 2.5
// points above it, accuracy 1.0 below (0.3 closer than softmax's 0.6923), the accuracy target
// still not met. The held-out curve over tau (diagnostic) peaks at 0.7053 accuracy at tau 0
// (macro-F1 0.4406): no tau meets both. The trainer still loses rows on POLITICS (-26, -44)
// and U.S. NEWS (-6, -36, +11). AG News 5-fold (load 4-5.5): 0.8991 without vectors, 0.9013
// with them (0.8985 and 0.9002 before): not dropped. Noisy AG News (search on, load 5-8):
// --clean none 0.8390, drop 0.8430, weight 0.8420 (0.8375, 0.8420, 0.8445 before).
// Training all 10k HuffPost rows as `newsintel train` does (tmp script, softmax and hinge
// alternately in one process, load 2.5-4): 49.0 and 57.6 s CPU with softmax, 41.2 and 54.0 s
// with the hinge (0.89 of the CPU time; the hinge skips classes beyond their margin); wall
// 42-338 s, the load's. In the HuffPost run above: 44.9 s wall, 42.0 s CPU; peak RSS of the
// whole part (three trainers, six SVMs) 1.91 GB. The training alone (/usr/bin/time -v, load
// 5): 53.9 s wall, 50.8 s CPU, peak RSS 1.15 GB (1.13-1.17 GB before).
// Tried on the same out-of-fold protocol and left out: the Crammer-Singer squared hinge (on inner
// splits of splits 1 and 2, step 0.5, at its best tau 0.4203 / 0.6676 against the hinge's 0.4352 /
// 0.6927); logistic one-vs-rest 0.4382 / 0.6889 (tau 0.5); hinge step 0.03 0.4332 / 0.6943, 0.08
// 0.4326 / 0.6950; 5 epochs 0.4304 / 0.6919, 12 0.4392 / 0.6938; lambda 1e-5 0.4339 / 0.6962 (as
// 1e-6); IDF^1 0.4408 / 0.6918; sub-words 0.8 0.4312 / 0.6949; class weights 0 0.4139 / 0.6921;
// LinearSVC's balanced weights (on each class's positives only) power 1 0.4350 / 0.6838, power 0.5
// 0.4417 / 0.6959; the bias at the weights' step 0.4300 / 0.6940, at 0.3 of it 0.4405 / 0.6928 (0.1
// kept); the hinge and softmax models summed (still one linear model, but twice the SGD, beyond the
// 30 s) 0.4504 / 0.6945 (tau 0.5). Not tried for lack of time: sublinear term frequency (needs
// counting repeats in the graph).
//
// The squared hinge to its optimum, tried and left out: does SGD's few epochs, short of the
// SVM optimum, cost the accuracy the GloVe baseline has? The trainer's features fitted by
// liblinear's dual coordinate descent (the baseline's solver; C times each row's weight, the
// bias a constant feature of value 1, tolerance 0.1). Chosen on training rows only, 3-fold
// out-of-fold on each split's training part at fixed settings (class weights 0.25, IDF^1.5,
// sub-words 0.6, SIF 0.8), mean of the three at each one's best tau: SGD 0.4458 / 0.6903; C 0.1
// 0.4142 / 0.6813, C 0.3 0.4313 / 0.6923, C 1 0.4390 / 0.6884, C 3 0.4335 / 0.6880; at class
// weights 0.5 SGD 0.4594 / 0.6832 against C 1 0.4459 / 0.6900. The whole trainer on inner
// 75/25 splits: SGD 0.4436 / 0.6902 (32.4 s CPU), dual CD 0.4341 / 0.6909 (35.5 s). The optimum
// buys a little accuracy for a point of macro-F1 and more CPU (a fold of 5,333 rows: 12 passes,
// 2.0-2.2 s, against 1.5-1.7 s for SGD's 8 epochs), so SGD stayed. Held out once, for the
// record (load 1.5-2.2): dual CD 0.4483 / 0.7046 against SGD's 0.4692 / 0.6955 and the GloVe
// baseline's 0.4443 / 0.7056: neither solver meets both targets, so the gap is in the features
// (the baseline's full word-bigram vocabulary and sublinear tf), not the solver. Training all
// 10k HuffPost rows as `newsintel train` does, alone (load 1.1-2.2): SGD 43.7-52.4 s CPU, 26.3 s
// wall on a quiet run, peak RSS 1.20-1.33 GB.
//
// Features, tried on training rows only (3-fold out-of-fold on the training part of each of
// the three splits at fixed settings: class weights 0.25, IDF^1.5, sub-words 0.6, SIF 0.8;
// macro-F1 / accuracy at the prior correction with the best sum, and the best accuracy at any):
// the trainer as it was 0.4455 / 0.6881 (0.6930), the GloVe baseline on the same folds 0.4336 /
// 0.6919. Left out, each within a tenth of a point: sublinear term frequency (1 + ln tf, with
// the vector's true L2 norm) 0.4459 / 0.6890 (0.6937); the true L2 norm alone 0.4455 / 0.6873;
// word-cluster features (random-hyperplane codes of each word's GloVe vector, 8 tables of 10
// bits, folded into the word's row like its character n-grams, so free to serve) 0.4462 /
// 0.6894, centred 0.4467 / 0.6893, 16 tables of 8 bits 0.4484 / 0.6880; random Fourier features
// of the dense block (an RBF kernel on the texts' mean vectors; 1,000 features, gamma 3, scale
// 0.5) 0.4429 / 0.6913, at scale 1 0.4361 / 0.6836, gamma 10 0.4337 / 0.6808; the vocabulary
// gaining 100,000 words with vectors instead of 30,000 0.4463 / 0.6884 (none: 0.4370 / 0.6873).
// What moved it was the text: the headline twice (ml/article_text.ts) 0.4537 / 0.7012
// (0.7039), three times 0.4446 / 0.6954; AG News 5-fold 0.9003 against 0.9013 with it once.
// The same texts lift the GloVe baseline too (0.4452 / 0.7031 on those folds), so the bench
// prints it on the trainer's texts beside the baselines on the text as it comes, the headline
// once, which are what the targets name.
// Held out, once (load average 2-5, other work beside): trainer 0.4734 / 0.7141 (split 42:
// 0.4751 / 0.7186; split 1: 0.4708 / 0.7026; split 2: 0.4742 / 0.7211; class weights 0.5, SIF
// 0.8 on all three, tau 0.6, 0.75, 0.75), GloVe baseline 0.4443 / 0.7056 as before, and on the
// trainer's texts 0.4560 / 0.7123: both targets met, macro-F1 2.9 points and accuracy 0.85
// above the GloVe baseline (and 1.7 and 0.2 above it on the trainer's texts). Training all 10k
// rows in that run: 29.8 s wall, 48.9 s CPU. What a caller of `POST /v1/classify` with the
// article as one text (headline once) loses, on training rows (3 random 8,000-row parts, 3-fold,
// fixed settings, tau 0.6): models trained on the headline twice score 0.7026 accuracy given
// their own texts, 0.6920 given the headline once; models trained on it once scored 0.6880.
//
// Training time, 2026-12-07 (a worker keeps each token's character n-grams and WordPiece
// pieces from fit to fit, a row's n-grams are looked up once per token, SGD skips a row's
// update when no class needs one, and the cross-fitting folds send back their held-out logits
// instead of their models): the same model files byte for byte. All 10k HuffPost rows as
// `newsintel train` does (/usr/bin/time, idle machine, alternating with the code before,
// 619a770): 28.6 and 31.3 s wall, 41.9 and 47.3 s CPU, peak RSS 1.18-1.19 GB, against 34.6
// and 35.1 s, 50.6 and 49.8 s, 1.30-1.35 GB (0.85 of the wall time). The first-start model
// (AG News 10k, --no-search): 10.5 s wall against 12.2 s.
//
//   deno task bench taxonomy                    (all three)
//   deno run --allow-all bench/taxonomy.ts [huffpost] [agnews] [noise]

import process from "node:process";
import { join } from "node:path";
import { readDataset } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { classCounts, type CleanMode, logitAdjustment } from "../ml/class_weights.ts";
import { evaluate, type EvaluationReport, type Prediction } from "../ml/metrics.ts";
import { encodeWords, modelLogits, softmax, type TextClassifierModel } from "../ml/model.ts";
import { normalizeNewsText } from "../ml/normalize.ts";
import { mulberry32, shuffleInPlace } from "../ml/prng.ts";
import { argmaxScores, TAU_GRID } from "../ml/search.ts";
import { type Example, type TrainOptions, trainTextClassifier } from "../ml/train.ts";
import { createWordSplitter } from "../ml/word_splitter.ts";
import { readPackageVectors, type WordVectorTable } from "../ml/word_vectors.ts";
import { predictLinearSvc, tfidfFeatures, trainLinearSvc } from "./baseline_svm.ts";

const HUFFPOST = join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl");
const AGNEWS = join(import.meta.dirname!, "../data/agnews/train_10k.csv");
/** The first-start model's 5-fold accuracy on the AG News sample before word vectors. */
const AGNEWS_BEFORE = 0.8987;
/** What `newsintel train` passes the trainer by default (3 folds, search on). */
const CLI_DEFAULTS: TrainOptions = {
  validationFraction: 1 / 3,
  calibrationFolds: 3,
  search: true,
  vectors: readPackageVectors,
};

async function examples(path: string, options: Parameters<typeof readDataset>[2]) {
  const out: Example[] = [];
  for await (const r of readDataset(path, undefined, options)) {
    out.push({
      text: articleText(r.title, r.body),
      label: r.label!,
      article: { title: r.title, body: r.body },
    });
  }
  return out;
}

/** An example's text as it comes: the headline once. */
const plainText = (e: Example) =>
  e.article ? articleText(e.article.title, e.article.body, 1) : e.text;

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

/**
 * Where two classifiers' accuracy differs: per label, the held-out rows `a` gets right minus
 * those `b` gets right (summed over labels, the difference in correct rows) and how often each
 * predicts the label; the six largest differences.
 */
function rowsRightByLabel(a: EvaluationReport, b: EvaluationReport) {
  const predicted = (r: EvaluationReport, j: number) =>
    r.confusion.reduce((n, row) => n + row[j], 0);
  return a.labels
    .map((label, j) => ({
      label,
      support: a.perClass[label].support,
      rows: Math.round(
        (a.perClass[label].recall - b.perClass[label].recall) *
          a.perClass[label].support,
      ),
      predicted: [predicted(a, j), predicted(b, j)],
    }))
    .filter((d) => d.rows !== 0)
    .sort((x, y) => Math.abs(y.rows) - Math.abs(x.rows))
    .slice(0, 6);
}

/**
 * Diagnostic only, never used for a choice: the model's held-out accuracy and macro-F1 had its
 * prior correction been each tau of the search's grid instead of the one chosen in training.
 */
function heldOutTauCurve(model: TextClassifierModel, train: Example[], test: Example[]) {
  const { labels } = model;
  const counts = classCounts(Int32Array.from(train, (e) => labels.indexOf(e.label)), labels.length);
  const chosen = logitAdjustment(counts, model.hyperparameters.logitAdjustment);
  const split = createWordSplitter();
  const logits = test.map((e) =>
    modelLogits(model, encodeWords(model, split(normalizeNewsText(e.text))), { calibrated: false })
      .map((z, c) => z - chosen[c])
  );
  const y = test.map((e) => labels.indexOf(e.label));
  return TAU_GRID.map((tau) => {
    const r = argmaxScores(logits, y, logitAdjustment(counts, tau));
    return { tau, macroF1: +r.macroF1.toFixed(4), accuracy: +r.accuracy.toFixed(4) };
  });
}

/** Wall and CPU seconds (all threads of this process) of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Split seeds of the HuffPost comparison: one split moves accuracy by about half a point. */
const SPLITS = [42, 1, 2];

/** The trainer and the baseline on one stratified 80/20 split. */
async function compareOnSplit(
  rows: Example[],
  labels: string[],
  seed: number,
  vectors: WordVectorTable,
) {
  const never = (r: ReturnType<typeof evaluate>) =>
    Object.values(r.perClass).filter((c) => c.recall === 0).length;
  const { train, test } = stratifiedSplit(rows, 0.2, seed);
  const gold = test.map((e) => e.label);
  const trained = await timed(() => trainTextClassifier(train, { ...CLI_DEFAULTS, labels }));
  const ours = evaluate(gold, predictAll(trained.value, test.map((e) => e.text)), labels);
  // The baselines read the text as it comes, the headline once (`plain`); the trainer's own
  // texts repeat it (ml/article_text.ts), and the GloVe baseline on those is printed beside.
  const svmWith = (withVectors: boolean, textOf: (e: Example) => string = plainText) =>
    timed(() => {
      const x = tfidfFeatures(
        train.map(textOf),
        test.map(textOf),
        withVectors ? { vectors } : {},
      );
      const y = Int32Array.from(train, (e) => labels.indexOf(e.label));
      const model = trainLinearSvc(x.train, y, labels.length, { C: 1, balanced: true });
      const predicted = [...predictLinearSvc(model, x.test)];
      return Promise.resolve(
        evaluate(gold, predicted.map((c) => ({ label: labels[c], score: 1, scores: {} })), labels),
      );
    });
  const svm = await svmWith(false);
  const glove = await svmWith(true);
  const gloveHeadlines = await svmWith(true, (e) => e.text);
  const base = svm.value;
  const h = trained.value.hyperparameters;
  const gaps = rowsRightByLabel(ours, glove.value);
  console.error(
    `HuffPost split ${seed} (${train.length} train, ${test.length} test, ${labels.length} labels): ` +
      `trainer macro-F1 ${ours.macroF1.toFixed(4)}, accuracy ${ours.accuracy.toFixed(4)} ` +
      `(${trained.wall.toFixed(1)} s); TF-IDF + LinearSVC (balanced) macro-F1 ${
        base.macroF1.toFixed(4)
      }, accuracy ${base.accuracy.toFixed(4)} (${svm.wall.toFixed(1)} s); ` +
      `+ GloVe mean macro-F1 ${glove.value.macroF1.toFixed(4)}, accuracy ${
        glove.value.accuracy.toFixed(4)
      }; GloVe baseline on the trainer's texts macro-F1 ${
        gloveHeadlines.value.macroF1.toFixed(4)
      }, accuracy ${gloveHeadlines.value.accuracy.toFixed(4)}; rows right against it by label: ${
        gaps.map((g) => `${g.label} ${g.rows > 0 ? "+" : ""}${g.rows}`).join(", ")
      }`,
  );
  return {
    seed,
    train: train.length,
    test: test.length,
    trainer: {
      macroF1: ours.macroF1,
      accuracy: ours.accuracy,
      labelsNeverPredictedRight: never(ours),
      trainSecondsWall: trained.wall,
      trainSecondsCpu: trained.cpu,
      chosen: {
        classWeightPower: h.classWeightPower,
        idfPower: h.idfPower,
        subwordWeight: h.subwordWeight,
        logitAdjustment: h.logitAdjustment,
        vectorScale: h.vectorScale,
        vectorWeighting: h.vectorWeighting,
      },
      rowsRightAgainstGloveByLabel: gaps,
      heldOutByTau: heldOutTauCurve(trained.value, train, test),
    },
    gloveOnTrainerTexts: {
      macroF1: gloveHeadlines.value.macroF1,
      accuracy: gloveHeadlines.value.accuracy,
    },
    glove: {
      macroF1: glove.value.macroF1,
      accuracy: glove.value.accuracy,
      labelsNeverPredictedRight: never(glove.value),
      seconds: glove.wall,
    },
    baseline: {
      macroF1: base.macroF1,
      accuracy: base.accuracy,
      labelsNeverPredictedRight: never(base),
      seconds: svm.wall,
    },
  };
}

async function huffpost() {
  const rows = await examples(HUFFPOST, {
    fields: { text: ["headline", "short_description"], label: "category" },
  });
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const split = createWordSplitter();
  const words = new Set(rows.flatMap((r) => [
    ...split(normalizeNewsText(r.text)),
    ...(normalizeNewsText(r.text).toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? []),
  ]));
  const vectors = await readPackageVectors({ top: 0, wanted: words });
  const splits: Awaited<ReturnType<typeof compareOnSplit>>[] = [];
  for (const seed of SPLITS) splits.push(await compareOnSplit(rows, labels, seed, vectors));
  const mean = (f: (s: typeof splits[number]) => number) =>
    splits.reduce((a, s) => a + f(s), 0) / splits.length;
  const trainer = {
    macroF1: mean((s) => s.trainer.macroF1),
    accuracy: mean((s) => s.trainer.accuracy),
  };
  const baseline = {
    macroF1: mean((s) => s.baseline.macroF1),
    accuracy: mean((s) => s.baseline.accuracy),
  };
  const gloveBaseline = {
    macroF1: mean((s) => s.glove.macroF1),
    accuracy: mean((s) => s.glove.accuracy),
  };
  const gloveOnTrainerTexts = {
    macroF1: mean((s) => s.gloveOnTrainerTexts.macroF1),
    accuracy: mean((s) => s.gloveOnTrainerTexts.accuracy),
  };
  // The time target is for 10k rows: the whole sample, as `newsintel train` runs it.
  const all = await timed(() => trainTextClassifier(rows, { ...CLI_DEFAULTS, labels }));
  console.error(
    `HuffPost mean of ${splits.length} splits: trainer ${trainer.macroF1.toFixed(4)} / ${
      trainer.accuracy.toFixed(4)
    }, baseline ${baseline.macroF1.toFixed(4)} / ${baseline.accuracy.toFixed(4)}, ` +
      `GloVe baseline ${gloveBaseline.macroF1.toFixed(4)} / ${gloveBaseline.accuracy.toFixed(4)} ` +
      `(on the trainer's texts ${gloveOnTrainerTexts.macroF1.toFixed(4)} / ${
        gloveOnTrainerTexts.accuracy.toFixed(4)
      }) ` +
      `(macro-F1 / accuracy); training all ${rows.length} rows: ${all.wall.toFixed(1)} s wall, ` +
      `${all.cpu.toFixed(1)} s CPU`,
  );
  return {
    splits,
    mean: { trainer, baseline, gloveBaseline, gloveOnTrainerTexts },
    ratio: {
      macroF1: trainer.macroF1 / baseline.macroF1,
      accuracy: trainer.accuracy / baseline.accuracy,
    },
    ratioToGlove: {
      macroF1: trainer.macroF1 / gloveBaseline.macroF1,
      accuracy: trainer.accuracy / gloveBaseline.accuracy,
    },
    train10k: {
      rows: rows.length,
      secondsWall: all.wall,
      secondsCpu: all.cpu,
    },
    targetsMet: trainer.macroF1 >= gloveBaseline.macroF1 &&
      trainer.accuracy >= gloveBaseline.accuracy && all.wall <= 30,
  };
}

async function agnews() {
  const rows = await examples(AGNEWS, {});
  // As the first start trains the default model (no search), with and without the vectors.
  const fiveFold = (vectors: boolean) =>
    timed(() =>
      trainTextClassifier(rows, {
        validationFraction: 0.2,
        calibrationFolds: 5,
        ...(vectors ? { vectors: readPackageVectors } : {}),
      })
    );
  const none = await fiveFold(false);
  const glove = await fiveFold(true);
  const report = (t: typeof none) => ({
    accuracy: t.value.validation!.report.accuracy,
    macroF1: t.value.validation!.report.macroF1,
    trainSecondsWall: t.wall,
    trainSecondsCpu: t.cpu,
  });
  const r = { none: report(none), glove: report(glove) };
  console.error(
    `AG News 5-fold out-of-fold accuracy: --vectors none ${r.none.accuracy.toFixed(4)} ` +
      `(${none.wall.toFixed(1)} s), glove ${r.glove.accuracy.toFixed(4)} (${
        glove.wall.toFixed(1)
      } s); recorded before: ${AGNEWS_BEFORE}`,
  );
  return {
    ...r,
    before: AGNEWS_BEFORE,
    accuracyRatio: r.glove.accuracy / r.none.accuracy,
    risen: r.glove.accuracy > r.none.accuracy,
    hyperparameters: glove.value.hyperparameters,
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
