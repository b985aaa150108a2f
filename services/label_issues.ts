/**
 * Finding rows whose given label is probably wrong: out-of-fold probabilities from the
 * trainer's cross-fitting (ml/train.ts), ranked by confident learning (ml/label_issues.ts).
 * Rows are numbered by their position in the data set, so a finding points back into the file.
 */
import type { DatasetRecord } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { type LabelQuality, type RankedLabel, rankLabels } from "../ml/label_issues.ts";
import { type Example, outOfFoldProbabilities, type TrainProgress } from "../ml/train.ts";

/** A row whose given label looks wrong. */
export interface LabelIssue {
  /** 0-based position of the record in the data set (for a headed CSV: the data row). */
  index: number;
  given: string;
  suggested: string;
  /** Label quality in [0, 1]; lower is more likely wrong. */
  score: number;
}

/** Options of {@link findLabelIssues}. */
export interface FindLabelIssuesOptions {
  /** Cross-fitting folds (default 5). */
  folds?: number;
  /** Cross-fittings with different seeds, averaged (default 1). */
  repeats?: number;
  seed?: number;
  quality?: LabelQuality;
  /** Rank every labelled row, not only the flagged ones. */
  all?: boolean;
  onProgress?: (p: TrainProgress) => void;
}

/** What {@link findLabelIssues} found, most likely wrong first. */
export interface LabelIssues {
  /** Records read, and how many of them had a label. */
  records: number;
  labelled: number;
  labels: string[];
  issues: LabelIssue[];
}

/** Default number of cross-fittings: see bench/label_issues.ts for the measurements. */
export const DEFAULT_ISSUE_REPEATS = 2;

/**
 * Reads labelled records and returns the rows flagged as probably mislabelled (or, with
 * `all`, every labelled row), most likely wrong first. Records without a label are counted but not ranked. Deterministic for a seed.
 */
export async function findLabelIssues(
  records: AsyncIterable<DatasetRecord>,
  options: FindLabelIssuesOptions = {},
): Promise<LabelIssues> {
  const examples: Example[] = [];
  const positions: number[] = [];
  let count = 0;
  for await (const r of records) {
    if (r.label) {
      examples.push({ text: articleText(r.title, r.body), label: r.label });
      positions.push(count);
    }
    count++;
  }
  const { folds = 5 } = options;
  if (examples.length < folds) {
    throw new Error(`${examples.length} labelled rows: ${folds}-fold cross-fitting needs ${folds}`);
  }
  const { labels, ranked } = await rankExampleLabels(examples, options);
  const issues = ranked
    .filter((r) => options.all || r.issue)
    .map((r) => ({
      index: positions[r.index],
      given: labels[r.given],
      suggested: labels[r.suggested],
      score: r.score,
    }));
  return { records: count, labelled: examples.length, labels, issues };
}

/**
 * Every example ranked as `label-issues` ranks them (the same cross-fitting and scoring),
 * most likely mislabelled first; `index` is the position in `examples`.
 */
export async function rankExamples(
  examples: readonly Example[],
  options: Omit<FindLabelIssuesOptions, "all"> = {},
): Promise<RankedLabel[]> {
  return (await rankExampleLabels(examples, options)).ranked;
}

async function rankExampleLabels(
  examples: readonly Example[],
  options: Omit<FindLabelIssuesOptions, "all">,
): Promise<{ labels: string[]; ranked: RankedLabel[] }> {
  const { folds = 5, repeats = DEFAULT_ISSUE_REPEATS, seed = 1 } = options;
  const oof = await outOfFoldProbabilities(examples, {
    folds,
    repeats,
    seed,
    onProgress: options.onProgress,
  });
  return {
    labels: oof.labels,
    ranked: rankLabels(oof.probabilities, oof.given, { quality: options.quality }),
  };
}
