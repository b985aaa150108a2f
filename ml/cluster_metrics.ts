// ml/cluster_metrics.ts — how close a clustering is to gold classes: adjusted Rand index,
// B-cubed precision/recall/F1 and pairwise precision/recall (the scores of event clustering).

/** Scores of a predicted clustering against gold classes. */
export interface ClusterScores {
  ari: number;
  bcubed: { precision: number; recall: number; f1: number };
  pairwise: { precision: number; recall: number };
  clusters: number;
  classes: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

function counts<T>(items: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/**
 * Scores `predicted` cluster labels against `gold` class labels (one of each per item, in
 * the same order). Throws `RangeError` when the lengths differ.
 *
 * @example
 * ```ts
 * clusterScores(["a", "a", "b"], [1, 1, 2]).ari; // 1
 * ```
 */
export function clusterScores<G, P>(gold: readonly G[], predicted: readonly P[]): ClusterScores {
  if (gold.length !== predicted.length) {
    throw new RangeError(`${gold.length} gold labels against ${predicted.length} predicted`);
  }
  const n = gold.length;
  const cells = counts(gold.map((g, i) => JSON.stringify([g, predicted[i]])));
  const goldSizes = counts(gold);
  const predSizes = counts(predicted);
  // Pair counts: together in both, in gold, in the prediction.
  let both = 0;
  for (const c of cells.values()) both += pairs(c);
  let inGold = 0;
  for (const c of goldSizes.values()) inGold += pairs(c);
  let inPred = 0;
  for (const c of predSizes.values()) inPred += pairs(c);
  const all = pairs(n);
  const expected = all ? (inGold * inPred) / all : 0;
  const maxIndex = (inGold + inPred) / 2;
  // Both partitions trivial in the same way (all singletons or one block): a perfect match.
  const ari = maxIndex === expected ? 1 : (both - expected) / (maxIndex - expected);
  // B-cubed: per item, the share of its cluster in its class and of its class in its cluster.
  let bp = 0;
  let br = 0;
  for (const [key, c] of cells) {
    const [g, p] = JSON.parse(key);
    bp += (c * c) / predSizes.get(p as P)!;
    br += (c * c) / goldSizes.get(g as G)!;
  }
  const precision = n ? bp / n : 1;
  const recall = n ? br / n : 1;
  return {
    ari,
    bcubed: {
      precision,
      recall,
      f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    },
    pairwise: { precision: inPred ? both / inPred : 1, recall: inGold ? both / inGold : 1 },
    clusters: predSizes.size,
    classes: goldSizes.size,
  };
}
