// ml/trends.ts — the math of trends: spikes in a count series, rising terms, change.
//
// Pure functions over numbers and term-count maps; the counts come from db/ (which stores
// per-article `termCounts()` at ingestion). Written by hand: the npm anomaly-detection and
// keyness packages are either unmaintained or built for other data (seasonal metrics,
// not daily article counts), and each method here is a few lines with a documented formula.

/** One bucket (a day, a week...) of a time series, identified by its label. */
export interface SeriesPoint {
  bucket: string;
  count: number;
}

/** Options of `detectSpikes()`. */
export interface SpikeOptions {
  /** Trailing baseline window, in buckets (default 7). */
  window?: number;
  /**
   * A bucket needs this many earlier buckets of data to be judged at all (default: the
   * whole `window`). A bucket judged against fewer would compare a count with nothing
   * (the first months of a data set against the zeros before it).
   */
  minHistory?: number;
  /**
   * Index of the first bucket that holds data (default 0): earlier buckets are before the
   * data began, so they are no baseline, and a bucket with fewer than `minHistory` buckets
   * from here on before it is never a spike.
   */
  dataStart?: number;
  /** Robust z-score at or above which a bucket is a spike (default 3). */
  threshold?: number;
  /** A spike needs at least this many items in its bucket (default 5). */
  minCount?: number;
}

/** The verdict on one bucket. */
export interface SpikePoint extends SeriesPoint {
  /** Median of the trailing window (null without enough history). */
  baseline: number | null;
  /** Robust z-score against the trailing window, on the Anscombe scale (0 without history). */
  score: number;
  spike: boolean;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Anscombe's transform: makes Poisson counts roughly normal with unit variance. */
function anscombe(count: number): number {
  return 2 * Math.sqrt(Math.max(0, count) + 3 / 8);
}

/**
 * Flags buckets whose count jumps above their recent past.
 *
 * Method: robust z-score on a variance-stabilised scale. Counts are first mapped through
 * Anscombe's transform a(x) = 2√(x + 3/8), under which Poisson noise has unit variance
 * whatever the level (raw z-scores over-flag small counts, whose noise is skewed). For
 * bucket t the baseline is the `window` buckets before it, all of them data (from
 * `dataStart` on; at least `minHistory`, by default the whole window, or it is not judged):
 * its level is the median m of their transformed counts and its spread the
 * larger of 1.4826 × MAD (median absolute deviation, a robust standard deviation, which
 * grows for bursty, over-dispersed series) and 1 (pure Poisson noise). The score is
 * (a(count) − m) / spread, and a bucket is a spike when score ≥ `threshold` and
 * count ≥ `minCount`. Median and MAD ignore one earlier burst in the window, so a burst
 * neither raises the baseline nor hides the next one. `baseline` reports the median of the
 * raw counts of the window.
 *
 * With the defaults, on simulated Poisson series (means 5, 20 and 100; 200 series of 90
 * buckets each) about 1.3–2.1 buckets in 1000 are flagged by chance, and a burst to twice
 * the mean plus three standard deviations is flagged 80% (mean 5), 98% (mean 20) and
 * 100% (mean 100) of the time. Raise `threshold` to 3.5 for ~0.2–0.7 false flags in 1000
 * at the cost of missing more small bursts.
 *
 * `series` must be in chronological order with empty buckets present as count 0.
 */
export function detectSpikes(
  series: readonly SeriesPoint[],
  options: SpikeOptions = {},
): SpikePoint[] {
  const window = Math.max(1, options.window ?? 7);
  const minHistory = Math.max(1, Math.min(options.minHistory ?? window, window));
  const dataStart = Math.max(0, options.dataStart ?? 0);
  const threshold = options.threshold ?? 3;
  const minCount = options.minCount ?? 5;
  const transformed = series.map((p) => anscombe(p.count));
  return series.map((point, t) => {
    const from = Math.max(dataStart, t - window);
    if (t - from < minHistory) {
      return { bucket: point.bucket, count: point.count, baseline: null, score: 0, spike: false };
    }
    const history = transformed.slice(from, t).sort((a, b) => a - b);
    const m = median(history);
    const mad = median(history.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
    const spread = Math.max(1.4826 * mad, 1);
    const score = (transformed[t] - m) / spread;
    const baseline = median(series.slice(from, t).map((p) => p.count).sort((a, b) => a - b));
    return {
      bucket: point.bucket,
      count: point.count,
      baseline,
      score,
      spike: score >= threshold && point.count >= minCount,
    };
  });
}

/** Options of `risingTerms()`. */
export interface RisingTermsOptions {
  /** Ignore terms seen fewer times than this in the current period (default 5). */
  minCount?: number;
  /** Return at most this many terms (default 20). */
  limit?: number;
  /** Minimum G² (default {@link MIN_G2}, p < 0.01 with one degree of freedom). */
  minG2?: number;
  /**
   * Total word counts of each period, when the maps hold only some terms (e.g. those
   * over `minCount`, as a database query returns them); default: the sums of the maps' words.
   */
  currentTotal?: number;
  baselineTotal?: number;
  /** The same for two-word phrases (terms with a space); default: the sums of the maps' phrases. */
  currentPhraseTotal?: number;
  baselinePhraseTotal?: number;
}

/** G² above which a rise is listed: p < 0.01 (one degree of freedom). */
export const MIN_G2 = 6.63;
/** G² above which a rise is strong evidence: p < 0.001. */
export const STRONG_G2 = 10.83;

/**
 * Words that rise and fall with the calendar, not the news ("monday" rises in any month
 * with more Mondays): never listed as rising. They stay in the stored counts.
 */
export const CALENDAR_WORDS: ReadonlySet<string> = new Set(
  "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week weekend"
    .split(" "),
);

/** A term whose relative frequency rose from the baseline to the current period. */
export interface RisingTerm {
  term: string;
  /** A two-word phrase ("north korea") rather than a word. */
  phrase: boolean;
  count: number;
  /** All words (or all phrases, for a phrase) counted in the current period. */
  total: number;
  baselineCount: number;
  baselineTotal: number;
  /** Occurrences per 10,000 words (phrases) now and in the baseline. */
  rate: number;
  baselineRate: number;
  /** Dunning's log-likelihood ratio G² of the 2×2 table (term vs other terms × period). */
  g2: number;
  /**
   * The significance level G² passes: 0.001 (G² ≥ 10.83, strong evidence) or 0.01 (G² ≥
   * 6.63: in a small topic, a word new this period with three or four occurrences).
   */
  p: 0.001 | 0.01;
  /**
   * Relative frequency now over relative frequency then; a term absent from the baseline
   * counts as 0.5 there so that the ratio stays finite.
   */
  ratio: number;
  /** The score with its numbers, in words (the console shows it on hover). */
  explanation: string;
}

function xlnx(o: number, e: number): number {
  return o > 0 && e > 0 ? o * Math.log(o / e) : 0;
}

/** A term's count out of the total count of all terms in one period. */
export interface TermShare {
  count: number;
  total: number;
}

/**
 * Dunning's log-likelihood ratio G² = 2 Σ O·ln(O/E) over the 2×2 contingency table of one
 * term: its count `a` out of `n1` terms in the current period, `b` out of `n2` in the
 * baseline, expected counts from the pooled frequency.
 *
 * @example
 * ```ts
 * logLikelihoodG2({ count: 10, total: 100 }, { count: 5, total: 200 }); // => 7.3298…
 * ```
 */
export function logLikelihoodG2(current: TermShare, baseline: TermShare): number {
  const { count: a, total: n1 } = current;
  const { count: b, total: n2 } = baseline;
  const n = n1 + n2;
  if (n === 0) return 0;
  const k = a + b;
  const e1 = (n1 * k) / n;
  const e2 = (n2 * k) / n;
  const e3 = (n1 * (n - k)) / n;
  const e4 = (n2 * (n - k)) / n;
  const g2 = 2 * (xlnx(a, e1) + xlnx(b, e2) + xlnx(n1 - a, e3) + xlnx(n2 - b, e4));
  return Math.max(0, g2); // rounding can give -1e-15 for identical frequencies
}

/** Whether a stored term is a two-word phrase (ml/terms.ts joins the words with a space). */
export function isPhrase(term: string): boolean {
  return term.includes(" ");
}

function totals(counts: ReadonlyMap<string, number>): { words: number; phrases: number } {
  let words = 0;
  let phrases = 0;
  for (const [term, v] of counts) {
    if (isPhrase(term)) phrases += v;
    else words += v;
  }
  return { words, phrases };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The one-line account of a rising term's score, with its numbers. */
export function explainRisingTerm(t: Omit<RisingTerm, "explanation">): string {
  const unit = t.phrase ? "phrases" : "words";
  const fmt = (x: number) => x.toLocaleString("en-US");
  const level = t.p === 0.001 ? "p < 0.001 above 10.8" : "p < 0.01 above 6.6";
  return `G² = 2·Σ O·ln(O/E) = ${t.g2.toFixed(1)} (${level}): "${t.term}" ` +
    `${fmt(t.count)} of ${fmt(t.total)} ${unit} now (${t.rate.toFixed(1)} per 10k) vs ` +
    `${fmt(t.baselineCount)} of ${fmt(t.baselineTotal)} in the baseline ` +
    `(${t.baselineRate.toFixed(1)} per 10k), ${t.ratio.toFixed(1)}× as frequent`;
}

/**
 * Terms whose relative frequency rose from `baseline` to `current`, scored by Dunning's
 * log-likelihood G² (see `logLikelihoodG2()`), highest first (ties: higher count, then
 * alphabetical). Both maps hold term counts summed over the articles of their period. A
 * word is measured against all words of its period and a phrase against all phrases.
 * A word that a rising phrase holds at least 80% of the times it occurs now ("korea" in
 * "north korea") is left out: the phrase says it better. An empty baseline gives no
 * terms: there is nothing to compare with.
 */
export function risingTerms(
  current: ReadonlyMap<string, number>,
  baseline: ReadonlyMap<string, number>,
  options: RisingTermsOptions = {},
): RisingTerm[] {
  const minCount = options.minCount ?? 5;
  const limit = options.limit ?? 20;
  const minG2 = options.minG2 ?? MIN_G2;
  const cur = totals(current);
  const base = totals(baseline);
  const n1 = {
    words: options.currentTotal ?? cur.words,
    phrases: options.currentPhraseTotal ?? cur.phrases,
  };
  const n2 = {
    words: options.baselineTotal ?? base.words,
    phrases: options.baselinePhraseTotal ?? base.phrases,
  };
  const out: Omit<RisingTerm, "explanation">[] = [];
  for (const [term, a] of current) {
    if (a < minCount || CALENDAR_WORDS.has(term)) continue;
    const phrase = isPhrase(term);
    const total = phrase ? n1.phrases : n1.words;
    const baselineTotal = phrase ? n2.phrases : n2.words;
    if (total === 0 || baselineTotal === 0) continue;
    const b = baseline.get(term) ?? 0;
    if (a / total <= b / baselineTotal) continue;
    const g2 = logLikelihoodG2({ count: a, total }, { count: b, total: baselineTotal });
    if (g2 < minG2) continue;
    const ratio = (a / total) / (Math.max(b, 0.5) / baselineTotal);
    out.push({
      term,
      phrase,
      count: a,
      total,
      baselineCount: b,
      baselineTotal,
      rate: round((a / total) * 10_000, 2),
      baselineRate: round((b / baselineTotal) * 10_000, 2),
      g2: round(g2, 2),
      p: g2 >= STRONG_G2 ? 0.001 : 0.01,
      ratio: round(ratio, 2),
    });
  }
  // Words covered by a rising phrase: each phrase names two words, so this is linear.
  const covered = new Map<string, number>();
  for (const t of out) {
    if (!t.phrase) continue;
    for (const w of t.term.split(" ")) covered.set(w, Math.max(covered.get(w) ?? 0, t.count));
  }
  return out
    .filter((t) => t.phrase || (covered.get(t.term) ?? 0) < 0.8 * t.count)
    .sort((x, y) =>
      y.g2 - x.g2 || y.count - x.count || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0)
    )
    .slice(0, limit)
    .map((t) => ({ ...t, explanation: explainRisingTerm(t) }));
}

/** The change of a count from the previous period. */
export interface Change {
  current: number;
  previous: number;
  /** current − previous. */
  delta: number;
  /** 100 × delta / previous, or null when previous is 0 (growth from nothing has no ratio). */
  percent: number | null;
  direction: "up" | "down" | "flat";
}

/** How a count changed from the previous period (e.g. this week vs last week). */
export function changeVsPrevious(current: number, previous: number): Change {
  const delta = current - previous;
  return {
    current,
    previous,
    delta,
    percent: previous === 0 ? null : (delta / previous) * 100,
    direction: delta > 0 ? "up" : delta < 0 ? "down" : "flat",
  };
}
