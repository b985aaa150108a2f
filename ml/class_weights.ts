// Class imbalance: per-row loss weights from class counts, and the prior correction of the
// logits (logit adjustment). On skewed label sets (HuffPost: 3,362 POLITICS rows, 2 WEDDINGS)
// an unweighted fit predicts the big classes almost always and 13 of 29 categories never;
// weighting each class by (n / (k * n_c))^power and subtracting tau * log(prior) from the
// logits move the decision boundaries towards the small classes. The search (search.ts)
// chooses power and tau per data set on out-of-fold predictions.

/** A class's weight is capped here: a class of 2 rows among 10,000 would otherwise weigh 170. */
export const MAX_CLASS_WEIGHT = 10;

/** Rows per class (`labels` index into `k` classes). */
export function classCounts(labels: ArrayLike<number>, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * Per-class weights `min((n / (k * n_c))^power, MAX_CLASS_WEIGHT)` (power 0: all 1; power 1:
 * "balanced"); a class without rows gets 0.
 *
 * @example
 * ```ts
 * classWeights(Int32Array.of(30, 10), 1); // => Float64Array [0.666…, 2]
 * ```
 */
export function classWeights(counts: ArrayLike<number>, power: number): Float64Array {
  let n = 0;
  for (let c = 0; c < counts.length; c++) n += counts[c];
  return Float64Array.from(
    counts as ArrayLike<number>,
    (nc) => nc === 0 ? 0 : Math.min(Math.pow(n / (counts.length * nc), power), MAX_CLASS_WEIGHT),
  );
}

/**
 * Each row's weight: its class's weight times its own (`base`, e.g. the probability that its
 * label is right; default 1), scaled so the rows' mean weight is 1 (the learning rate keeps
 * its meaning). Returns undefined when every row would weigh 1.
 */
export function rowWeights(
  labels: ArrayLike<number>,
  perClass: ArrayLike<number>,
  base?: ArrayLike<number>,
): Float32Array | undefined {
  const w = new Float64Array(labels.length);
  let total = 0;
  let uniform = true;
  for (let i = 0; i < labels.length; i++) {
    w[i] = perClass[labels[i]] * (base ? base[i] : 1);
    total += w[i];
    if (w[i] !== w[0]) uniform = false;
  }
  if (uniform && (w.length === 0 || w[0] === 1)) return undefined;
  const mean = total / Math.max(1, labels.length);
  return Float32Array.from(w, (x) => (mean > 0 ? x / mean : 0));
}

/**
 * Logit adjustment `-tau * log(prior_c)` per class (Menon et al., "Long-tail learning via
 * logit adjustment", ICLR 2021), added to the bias: tau 1 turns scores for the training
 * priors into scores for uniform priors. A class without rows gets the adjustment of one row.
 */
export function logitAdjustment(counts: ArrayLike<number>, tau: number): Float64Array {
  let n = 0;
  for (let c = 0; c < counts.length; c++) n += counts[c];
  return Float64Array.from(
    counts as ArrayLike<number>,
    (nc) => tau === 0 ? 0 : -tau * Math.log(Math.max(nc, 1) / Math.max(n, 1)),
  );
}

/** What noise-aware training does with rows whose label is probably wrong. */
export type CleanMode = "none" | "drop" | "weight";
export const CLEAN_MODES: readonly CleanMode[] = ["none", "drop", "weight"];

/**
 * Per-row weights from a label-quality ranking (label_issues.ts `rankLabels`, one entry per
 * row): a flagged row weighs 0 (`drop`) or its score, the estimated probability that its label
 * is right (`weight`); the others 1. Returns the weights and how many rows were flagged.
 */
export function labelQualityWeights(
  ranked: ReadonlyArray<{ index: number; score: number; issue: boolean }>,
  mode: Exclude<CleanMode, "none">,
): { base: Float32Array; cleaned: number } {
  const base = new Float32Array(ranked.length).fill(1);
  let cleaned = 0;
  for (const r of ranked) {
    if (!r.issue) continue;
    base[r.index] = mode === "drop" ? 0 : Math.max(0, Math.min(1, r.score));
    cleaned++;
  }
  return { base, cleaned };
}
