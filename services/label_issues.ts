/**
 * Finding rows whose given label is probably wrong: out-of-fold probabilities from the
 * trainer's cross-fitting, repeated on labels corrected between repeats (ml/out_of_fold.ts),
 * ranked by confident learning (ml/label_issues.ts).
 * Rows are numbered by their position in the data set, so a finding points back into the file.
 * Stored given labels (`given_labels`, kept by `seed`) are ranked the same way and the
 * suspected errors queued for review.
 */
import type { Db } from "../db/mod.ts";
import { labelledArticles } from "../db/given_labels.ts";
import { activeModelVersion, getModel } from "../db/models.ts";
import { enqueueLabelIssues } from "../db/review/mod.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { type LabelQuality, type RankedLabel, rankLabels } from "../ml/label_issues.ts";
import { type Example, outOfFoldProbabilities, type TrainProgress } from "../ml/train.ts";
import { type VectorProvider, WordVectorsError } from "../ml/word_vectors.ts";
import { logger } from "../lib/log.ts";

const log = logger("label-issues");

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
  /**
   * Cross-fittings of the same folds, each after the first on the labels the one before
   * corrects (ml/out_of_fold.ts; default {@link DEFAULT_ISSUE_REPEATS}).
   */
  repeats?: number;
  seed?: number;
  quality?: LabelQuality;
  /** Rank every labelled row, not only the flagged ones. */
  all?: boolean;
  /** Pretrained word vectors for the cross-fitted models (none: without them). */
  vectors?: VectorProvider;
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

/**
 * Default number of cross-fittings: the first and four on corrected labels (top 1,000
 * precision 0.72 with two independent ones, 0.79-0.80 so; bench/learning_loop.ts).
 */
export const DEFAULT_ISSUE_REPEATS = 5;

/** A ranked issue with the cross-fitted probabilities of every label. */
interface ScoredIssue extends LabelIssue {
  scores: Record<string, number>;
}

/** Cross-fits `examples` and ranks them; `positions` maps an example to its row. */
async function scoredIssues(
  examples: readonly Example[],
  positions: readonly number[],
  options: FindLabelIssuesOptions,
): Promise<{ labels: string[]; issues: ScoredIssue[] }> {
  const { folds = 5 } = options;
  if (examples.length < folds) {
    throw new Error(`${examples.length} labelled rows: ${folds}-fold cross-fitting needs ${folds}`);
  }
  const { labels, ranked, probabilities } = await rankExampleLabels(examples, options);
  const issues = ranked
    .filter((r) => options.all || r.issue)
    .map((r) => ({
      index: positions[r.index],
      given: labels[r.given],
      suggested: labels[r.suggested],
      score: r.score,
      scores: Object.fromEntries(labels.map((l, k) => [l, probabilities[r.index][k]])),
    }));
  return { labels, issues };
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
) {
  const { folds = 5, repeats = DEFAULT_ISSUE_REPEATS, seed = 1 } = options;
  const oof = await outOfFoldProbabilities(examples, {
    folds,
    repeats,
    seed,
    vectors: options.vectors,
    onProgress: options.onProgress,
  });
  return {
    labels: oof.labels,
    probabilities: oof.probabilities,
    ranked: rankLabels(oof.probabilities, oof.given, { quality: options.quality }),
  };
}

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
  const ranked = await scoredIssues(examples, positions, options);
  return {
    records: count,
    labelled: examples.length,
    labels: ranked.labels,
    issues: ranked.issues.map(({ scores: _, ...issue }) => issue),
  };
}

/** Most stored labelled articles one ranking reads (cross-fitting is linear in them). */
export const MAX_LABEL_ISSUE_ROWS = 50_000;

/** Options of {@link queueLabelIssues}. */
export interface QueueLabelIssuesOptions
  extends Pick<FindLabelIssuesOptions, "folds" | "repeats" | "seed" | "onProgress"> {
  /**
   * Pretrained word vectors, read only when the active model was trained with them: the
   * cross-fitted models follow the served one's recipe.
   */
  vectors?: VectorProvider;
  /** Rank these articles' given labels (default: every stored one, up to the bound). */
  articleIds?: readonly number[];
  /** Queue at most this many, most likely wrong first. */
  maxIssues: number;
  /** Who the audit log names as queueing them. */
  actor: string;
  /** Decisions each item needs (REVIEW_OVERLAP). */
  requiredLabels: number;
}

/** What {@link queueLabelIssues} did, or why it could not. */
export type QueueLabelIssuesResult =
  | {
    kind: "ok";
    /** Labelled articles ranked. */
    ranked: number;
    /** Of those, flagged as probably mislabelled. */
    flagged: number;
    /** Flagged ones whose given or suggested label the active model does not have. */
    outsideModel: number;
    /** Ids of the items queued now. */
    queued: number[];
    /** Ids of open items (queued for another reason) the suggestion was added to. */
    attached: number[];
    /** Flagged ones queued as label issues before, left alone. */
    alreadyQueued: number;
    modelVersion: string;
    /** Whether the cross-fitted models had pretrained word vectors. */
    vectors: boolean;
  }
  | { kind: "noActiveModel" }
  | { kind: "tooFewLabelled"; labelled: number; needed: number };

/**
 * Ranks stored given labels by confident learning and queues the most likely wrong ones
 * for review (reason `label_issue`), with the suggestion beside the given label. Reviewers
 * choose from the active model's labels, so one must be active. Idempotent: an article
 * queued as a label issue once is not queued again.
 */
export async function queueLabelIssues(
  db: Db,
  options: QueueLabelIssuesOptions,
): Promise<QueueLabelIssuesResult> {
  const version = await activeModelVersion(db);
  const model = version ? await getModel(db, version) : null;
  if (!model) return { kind: "noActiveModel" };
  const rows = await labelledArticles(db, {
    articleIds: options.articleIds,
    limit: MAX_LABEL_ISSUE_ROWS,
  });
  const folds = options.folds ?? 5;
  if (rows.length < Math.max(folds, 2)) {
    return { kind: "tooFewLabelled", labelled: rows.length, needed: Math.max(folds, 2) };
  }
  const examples = rows.map((r) => ({ text: articleText(r.title, r.body), label: r.label }));
  const positions = rows.map((_, i) => i);
  let vectors = model.manifest?.vectors ? options.vectors : undefined;
  let issues: ScoredIssue[];
  try {
    ({ issues } = await scoredIssues(examples, positions, { ...options, folds, vectors }));
  } catch (e) {
    // Vectors missing or corrupt: the ranking still stands without them, said in the log.
    if (!vectors || !(e instanceof WordVectorsError)) throw e;
    log.warn("ranking labels without word vectors: {reason}", { reason: e.message });
    vectors = undefined;
    ({ issues } = await scoredIssues(examples, positions, { ...options, folds, vectors }));
  }
  const known = new Set(model.labels);
  const fitting = issues.filter((i) => known.has(i.given) && known.has(i.suggested));
  const chosen = fitting.slice(0, options.maxIssues);
  const { queued, attached, skipped } = await db.transaction((tx) =>
    enqueueLabelIssues(
      tx,
      chosen.map((i) => ({
        articleId: rows[i.index].articleId,
        modelVersion: model.version,
        given: i.given,
        suggested: i.suggested,
        score: i.score,
        scores: i.scores,
        requiredLabels: options.requiredLabels,
      })),
      { actor: options.actor },
    )
  );
  return {
    kind: "ok",
    ranked: rows.length,
    flagged: issues.length,
    outsideModel: issues.length - fitting.length,
    queued,
    attached,
    alreadyQueued: skipped,
    modelVersion: model.version,
    vectors: vectors !== undefined,
  };
}
