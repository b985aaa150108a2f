// Classification metrics: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix
// and expected calibration error, plus a plain-text report.

/** One text's classification: the top label, its probability, and probabilities of all labels. */
export interface Prediction {
  label: string;
  score: number;
  /** Probability per label; sums to 1 over all labels of the model. */
  scores: Record<string, number>;
}

/** Precision, recall and F1 of one label, with its number of gold examples. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** What {@link evaluate} returns. */
export interface EvaluationReport {
  labels: string[];
  size: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** `confusion[gold][predicted]`, both in `labels` order. */
  confusion: number[][];
  /** Expected calibration error, 15 equal-width bins over the top-1 confidence. */
  ece: number;
}

/** Number of equal-width confidence bins used for the ECE. */
export const ECE_BINS = 15;

/**
 * Scores predictions against gold labels.
 *
 * @example
 * ```ts
 * const p = (label: string, score: number) => ({ label, score, scores: {} });
 * evaluate(["a", "b"], [p("a", 0.9), p("a", 0.6)], ["a", "b"]).accuracy; // => 0.5
 * ```
 */
export function evaluate(
  gold: readonly string[],
  predictions: readonly Prediction[],
  labels: readonly string[],
): EvaluationReport {
  if (gold.length !== predictions.length) {
    throw new Error(`${gold.length} gold labels but ${predictions.length} predictions`);
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const binCount = new Array<number>(ECE_BINS).fill(0);
  const binConfidence = new Array<number>(ECE_BINS).fill(0);
  const binCorrect = new Array<number>(ECE_BINS).fill(0);
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]);
    const p = index.get(predictions[i].label);
    if (g === undefined) throw new Error(`gold label "${gold[i]}" is not one of the labels`);
    if (p === undefined) {
      throw new Error(`predicted label "${predictions[i].label}" is not one of the labels`);
    }
    confusion[g][p]++;
    const hit = g === p ? 1 : 0;
    correct += hit;
    const conf = predictions[i].score;
    // Bin b holds confidences in (b/15, (b+1)/15]; a confidence of exactly 0 goes to bin 0.
    const bin = Math.min(ECE_BINS - 1, Math.max(0, Math.ceil(conf * ECE_BINS) - 1));
    binCount[bin]++;
    binConfidence[bin] += conf;
    binCorrect[bin] += hit;
  }
  const n = gold.length;
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j][c];
      support += confusion[c][j];
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[labels[c]] = { precision, recall, f1, support };
    f1Sum += f1;
  }
  let ece = 0;
  for (let b = 0; b < ECE_BINS; b++) {
    if (binCount[b]) ece += Math.abs(binCorrect[b] - binConfidence[b]) / n;
  }
  return {
    labels: [...labels],
    size: n,
    accuracy: n ? correct / n : 0,
    macroF1: k ? f1Sum / k : 0,
    perClass,
    confusion,
    ece,
  };
}

const pct = (x: number) => (100 * x).toFixed(2).padStart(6);

/** Renders a report as a fixed-width text table (per-class metrics, then the confusion matrix). */
export function formatReport(report: EvaluationReport): string {
  const width = Math.max(16, ...report.labels.map((l) => l.length));
  const lines = [
    `n=${report.size}  accuracy ${pct(report.accuracy).trim()}%  macro-F1 ${
      pct(report.macroF1).trim()
    }%  ECE ${report.ece.toFixed(4)}`,
    "",
    `${"label".padEnd(width)}  precision  recall      f1  support`,
  ];
  for (const label of report.labels) {
    const m = report.perClass[label];
    lines.push(
      `${label.padEnd(width)}     ${pct(m.precision)}  ${pct(m.recall)}  ${pct(m.f1)}  ${
        String(m.support).padStart(7)
      }`,
    );
  }
  lines.push(
    "",
    `${"gold \\ predicted".padEnd(width)}  ${report.labels.map((l) => l.padStart(9)).join(" ")}`,
  );
  report.confusion.forEach((row, i) => {
    lines.push(
      `${report.labels[i].padEnd(width)}  ${row.map((v) => String(v).padStart(9)).join(" ")}`,
    );
  });
  return lines.join("\n");
}
