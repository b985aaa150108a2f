/**
 * What a retrain trains on and is judged by: the base data merged with reviewed labels,
 * minus a fixed evaluation set — a deterministic share of the reviewed labels (by a hash
 * of the article id, so the same articles stay out of every retrain) plus an optional
 * labelled file. Scoring a model on that set is macro-F1 over its predictions.
 */
import { createHash } from "node:crypto";
import { readDataset } from "../datasets/mod.ts";
import type { ReviewedLabel } from "../db/review/mod.ts";
import { articleText } from "../ml/article_text.ts";
import type { Classifier } from "../ml/classifier.ts";
import { evaluate, type Example } from "../ml/mod.ts";
import { examplesFrom, mergeReviewed, textKey } from "./training.ts";

/** Texts scored per classifier call. */
const SCORE_BATCH = 256;

/**
 * Whether a reviewed article belongs to the evaluation set: the first 32 bits of
 * sha256(`retrain-eval:<id>`) as a fraction, below `share`. Stable across retrains and
 * replicas, and independent of when or by whom the article was reviewed.
 */
export function inEvalSet(articleId: number, share: number): boolean {
  if (share <= 0) return false;
  const digest = createHash("sha256").update(`retrain-eval:${articleId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < share;
}

/** The examples of one retrain. */
export interface RetrainData {
  /** What the candidate trains on. */
  train: Example[];
  /** What both models are scored on. */
  eval: Example[];
  /** Reviewed labels merged into training: file examples relabelled, and articles added. */
  relabelled: number;
  added: number;
}

/**
 * Splits reviewed labels into training and evaluation by {@link inEvalSet}, adds the
 * evaluation file's examples to the evaluation set, merges the training share into the
 * base examples, and drops from training every example whose text is in the evaluation
 * set (the base data may hold a copy of a reviewed article).
 */
export async function retrainData(
  base: readonly Example[],
  reviewed: readonly ReviewedLabel[],
  options: { evalShare: number; evalFile?: string },
): Promise<RetrainData> {
  const held = reviewed.filter((r) => inEvalSet(r.articleId, options.evalShare));
  const used = reviewed.filter((r) => !inEvalSet(r.articleId, options.evalShare));
  const evalExamples: Example[] = held.map((r) => ({
    text: articleText(r.title, r.body),
    label: r.label,
  }));
  if (options.evalFile) evalExamples.push(...await examplesFrom(readDataset(options.evalFile)));
  const merged = mergeReviewed(base, used);
  const evalTexts = new Set(evalExamples.map((e) => textKey(e.text)));
  return {
    train: merged.examples.filter((e) => !evalTexts.has(textKey(e.text))),
    eval: evalExamples,
    relabelled: merged.relabelled,
    added: merged.added,
  };
}

/**
 * Macro-F1 of `classifier` on `examples`, over the union of its labels and the gold
 * labels (a gold label the model lacks counts as a class it never gets right).
 */
export async function scoreClassifier(
  classifier: Pick<Classifier, "labels" | "classify">,
  examples: readonly Example[],
): Promise<number> {
  const predictions = [];
  for (let i = 0; i < examples.length; i += SCORE_BATCH) {
    const batch = examples.slice(i, i + SCORE_BATCH).map((e) => e.text);
    predictions.push(...await classifier.classify(batch));
  }
  const labels = [...new Set([...classifier.labels, ...examples.map((e) => e.label)])];
  return evaluate(examples.map((e) => e.label), predictions, labels).macroF1;
}
