/**
 * What a retrain trains on and is judged by. The evaluation set always holds the fixed
 * evaluation file — `RETRAIN_EVAL_FILE`, or by default the held-out tenth of the bundled
 * sample (chosen by a hash of each text, and never trained on: not by a retrain, not by
 * `train` on the bundled sample) — plus a deterministic share of the reviewed labels that
 * at least two people agreed on (by a hash of the article id, so the same articles stay out
 * of every retrain). A label only one reviewer stands behind is trained on, never judged
 * by: the labels a candidate learns from cannot carry its promotion. Scoring a model on a
 * set is macro-F1 over its predictions.
 */
import { createHash } from "node:crypto";
import { readDataset } from "../datasets/mod.ts";
import type { ReviewedLabel } from "../db/review/mod.ts";
import { articleExample, exampleText } from "../ml/article_text.ts";
import type { Classifier } from "../ml/classifier.ts";
import { evaluate, type Example } from "../ml/mod.ts";
import { DEFAULT_TRAINING_DATA } from "./model_runtime.ts";
import { examplesFrom, mergeReviewed, textKey } from "./training.ts";

/** Texts scored per classifier call. */
const SCORE_BATCH = 256;

/** Share of the bundled sample kept out of training as the default fixed evaluation file. */
export const HELD_OUT_SHARE = 0.1;

/** Distinct people who must have chosen a reviewed label for it to judge a retrain. */
export const MIN_AGREEING_REVIEWERS = 2;

/** The first 32 bits of sha256(`salt:value`) as a fraction of 2^32. */
function hashFraction(salt: string, value: string): number {
  return createHash("sha256").update(`${salt}:${value}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Whether a reviewed article belongs to the evaluation set (when its label is agreed):
 * the first 32 bits of sha256(`retrain-eval:<id>`) as a fraction, below `share`. Stable
 * across retrains and replicas, and independent of when or by whom the article was reviewed.
 */
export function inEvalSet(articleId: number, share: number): boolean {
  if (share <= 0) return false;
  return hashFraction("retrain-eval", String(articleId)) < share;
}

/**
 * Whether an example of the bundled sample is in its held-out part (about
 * {@link HELD_OUT_SHARE} of it), by a hash of its text as {@link textKey} normalises it; an
 * article's text with the headline once, as texts were when the part was chosen, so it stays
 * the same part whatever shape models' texts take.
 */
export function isHeldOut(example: Example): boolean {
  return hashFraction("retrain-fixed", textKey(exampleText(example, 1))) < HELD_OUT_SHARE;
}

/** Whether `path` is the bundled sample (whose held-out part nothing trains on). */
export function isBundledSample(path: string): boolean {
  if (path === DEFAULT_TRAINING_DATA) return true;
  try {
    return Deno.realPathSync(path) === Deno.realPathSync(DEFAULT_TRAINING_DATA);
  } catch {
    return false;
  }
}

/** The bundled sample without its held-out part: what training on it uses. */
export function withoutHeldOut(examples: readonly Example[]): Example[] {
  return examples.filter((e) => !isHeldOut(e));
}

/**
 * The fixed evaluation examples: those of `file`, or the held-out part of the bundled
 * sample when `file` is unset. Throws when there are none: a retrain is never judged
 * without them.
 */
export async function fixedEvalExamples(file?: string): Promise<Example[]> {
  const path = file ?? DEFAULT_TRAINING_DATA;
  const all = await examplesFrom(readDataset(path));
  const examples = file ? all : all.filter((e) => isHeldOut(e));
  if (examples.length === 0) {
    throw new Error(`the fixed evaluation file ${path} holds no labelled examples`);
  }
  return examples;
}

/** The examples of one retrain. */
export interface RetrainData {
  /** What the candidate trains on. */
  train: Example[];
  /** What both models are scored on: the fixed examples first, then the agreed reviewed ones. */
  eval: Example[];
  /** How many of `eval` are fixed examples (the rest are agreed reviewed labels). */
  fixedSize: number;
  /** Reviewed labels merged into training: file examples relabelled, and articles added. */
  relabelled: number;
  added: number;
}

/**
 * Holds out the reviewed labels that are agreed (`agreed` holds their article ids) and in
 * the evaluation share ({@link inEvalSet}), puts them after the fixed examples as the
 * evaluation set, merges every other reviewed label into the base examples, and drops from
 * training every example whose text is in the evaluation set (the base data may hold a
 * copy of a reviewed article, and holds the held-out part of the bundled sample).
 */
export function retrainData(
  base: readonly Example[],
  reviewed: readonly ReviewedLabel[],
  options: { evalShare: number; fixed: readonly Example[]; agreed: ReadonlySet<number> },
): RetrainData {
  const judges = (r: ReviewedLabel) =>
    options.agreed.has(r.articleId) && inEvalSet(r.articleId, options.evalShare);
  const evalExamples: Example[] = [...options.fixed];
  const used: ReviewedLabel[] = [];
  for (const r of reviewed) {
    if (judges(r)) evalExamples.push(articleExample(r.title, r.body, r.label));
    else used.push(r);
  }
  const merged = mergeReviewed(base, used);
  const evalTexts = new Set(evalExamples.map((e) => textKey(e.text)));
  return {
    train: merged.examples.filter((e) => !evalTexts.has(textKey(e.text))),
    eval: evalExamples,
    fixedSize: options.fixed.length,
    relabelled: merged.relabelled,
    added: merged.added,
  };
}

/** Macro-F1 on the whole evaluation set, and on its fixed examples alone. */
export interface EvalScores {
  all: number;
  fixed: number;
}

/**
 * Macro-F1 of `classifier` on `examples`, over the union of its labels and the gold
 * labels (a gold label the model lacks counts as a class it never gets right).
 */
export async function scoreClassifier(
  classifier: Scored,
  examples: readonly Example[],
): Promise<number> {
  const predicted = await predictAll(classifier, examples);
  return macroF1(classifier.labels, examples, predicted);
}

/** {@link scoreClassifier} on all of `data.eval` and on its first `data.fixedSize` examples. */
export async function scoreOnEval(
  classifier: Scored,
  data: Pick<RetrainData, "eval" | "fixedSize">,
): Promise<EvalScores> {
  const predicted = await predictAll(classifier, data.eval);
  return {
    all: macroF1(classifier.labels, data.eval, predicted),
    fixed: macroF1(
      classifier.labels,
      data.eval.slice(0, data.fixedSize),
      predicted.slice(0, data.fixedSize),
    ),
  };
}

/** What a classifier of {@link scoreClassifier} offers: its headline repeats when it has some. */
type Scored =
  & Pick<Classifier, "labels" | "classify">
  & Partial<Pick<Classifier, "headlineRepeats">>;

async function predictAll(classifier: Scored, examples: readonly Example[]) {
  // Each model is given an article in the shape of its own training texts.
  const textOf = (e: Example) => exampleText(e, classifier.headlineRepeats ?? 1);
  const predictions = [];
  for (let i = 0; i < examples.length; i += SCORE_BATCH) {
    const batch = examples.slice(i, i + SCORE_BATCH).map(textOf);
    predictions.push(...await classifier.classify(batch));
  }
  return predictions;
}

function macroF1(
  modelLabels: readonly string[],
  examples: readonly Example[],
  predictions: Awaited<ReturnType<Classifier["classify"]>>,
): number {
  const labels = [...new Set([...modelLabels, ...examples.map((e) => e.label)])];
  return evaluate(examples.map((e) => e.label), predictions, labels).macroF1;
}
