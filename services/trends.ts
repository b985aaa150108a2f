/**
 * Label trends: per label of one taxonomy (`topic` by default), article counts
 * and shares per bucket, change against the previous period, spikes, and rising
 * terms. Counts come from the
 * statistics kept at ingestion (db/trends.ts), folded in before each read; the
 * math is ml/trends.ts.
 */
import {
  type Bucket,
  countsByBucket,
  firstDataDay,
  foldPendingStats,
  statsRange,
} from "../db/trends.ts";
import { type PeriodTerms, rollUpTermMonths, termCountsForPeriods } from "../db/trend_terms.ts";
import { articlesWithoutTerms, setArticleTerms } from "../db/articles.ts";
import type { Db } from "../db/mod.ts";
import { termCounts } from "../ml/terms.ts";
import {
  type Change,
  changeVsPrevious,
  detectSpikes,
  type RisingTerm,
  risingTerms,
} from "../ml/trends.ts";
import { MAX_BUCKETS, MAX_YEAR } from "../lib/bounds.ts";
import { done, type Outcome, refuse } from "./outcome.ts";
import { checkTaxonomy, type TaxonomyRefusalCode } from "./taxonomies.ts";

export { MAX_BUCKETS };
/**
 * Trailing buckets used as the spike baseline (fetched before `from`), and the rising
 * terms' baseline before the latest buckets.
 */
export const SPIKE_WINDOW = 7;
/**
 * The end of the years a query may name: a default range never ends later, even when stored
 * data does (a year-9999 date would step into year 10000, which PostgreSQL cannot parse).
 */
const LATEST = new Date(Date.UTC(MAX_YEAR + 1, 0, 1));
/** Rising terms need this many occurrences in the period. */
export const RISING_MIN_COUNT = 3;

export interface TrendsQuery {
  bucket: Bucket;
  from?: string;
  to?: string;
  /** Only this label's trend. */
  label?: string;
  source?: string;
  terms: number;
  /** Whose labels are counted: `topic` (the default) or another taxonomy, e.g. `section`. */
  taxonomy?: string;
  /** Rising terms are those of the latest this many buckets of the range (default 1). */
  recent?: number;
}

/** One label's trend. Its label is answered as `topic` (the name clients read). */
export interface LabelTrend {
  topic: string;
  total: number;
  change: Change;
  series: Array<{ bucket: string; count: number; share: number; score: number; spike: boolean }>;
  spikes: Array<{ bucket: string; count: number; baseline: number | null; score: number }>;
  risingTerms: RisingTerm[];
}

export interface TrendsResult {
  bucket: Bucket;
  from: string;
  to: string;
  /**
   * The periods rising terms compare: [from, to) the latest buckets of the range, against
   * [baselineFrom, from) the `SPIKE_WINDOW` buckets before them.
   */
  risingPeriod: { baselineFrom: string; from: string; to: string };
  dataRange: { first: string; last: string } | null;
  /** Every label's trend, largest first (answered as `topics`: the name clients read). */
  topics: LabelTrend[];
}

/** Why trends are refused: a taxonomy no model serves, an empty or too long range. */
export type TrendsRefusalCode = TaxonomyRefusalCode | "invalidRange" | "tooManyBuckets";

/** The start of the UTC bucket holding `t`. */
export function truncate(t: Date, bucket: Bucket): Date {
  // Cleared field by field: Date.UTC() would read the years 0-99 as 1900-1999.
  const d = new Date(t);
  d.setUTCHours(bucket === "hour" ? d.getUTCHours() : 0, 0, 0, 0);
  if (bucket === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)); // ISO weeks start on Monday
  if (bucket === "month") d.setUTCDate(1);
  return d;
}

/** The bucket after the one starting at `t`. */
export function nextBucket(t: Date, bucket: Bucket, steps = 1): Date {
  const d = new Date(t);
  if (bucket === "hour") d.setUTCHours(d.getUTCHours() + steps);
  else if (bucket === "day") d.setUTCDate(d.getUTCDate() + steps);
  else if (bucket === "week") d.setUTCDate(d.getUTCDate() + 7 * steps);
  else d.setUTCMonth(d.getUTCMonth() + steps);
  return d;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How many buckets start in [from, to) counting the one holding `from` (0 when `to` is not
 * after it), by arithmetic on the two dates: nothing is allocated, so a range of millennia
 * costs the same as a range of hours (the bounded-work rule, lib/bounds.ts).
 *
 * @example
 * ```ts
 * bucketCount(new Date("2023-11-20Z"), new Date("2024-02-01Z"), "month"); // => 3 (Nov, Dec, Jan)
 * ```
 */
export function bucketCount(from: Date, to: Date, bucket: Bucket): number {
  const start = truncate(from, bucket);
  const span = to.getTime() - start.getTime();
  if (!(span > 0)) return 0;
  if (bucket === "hour") return Math.ceil(span / HOUR_MS);
  if (bucket === "day") return Math.ceil(span / DAY_MS);
  if (bucket === "week") return Math.ceil(span / (7 * DAY_MS));
  const months = (to.getUTCFullYear() - start.getUTCFullYear()) * 12 +
    (to.getUTCMonth() - start.getUTCMonth());
  // `to` inside a month (not at its first instant) also counts that month.
  return months + (truncate(to, "month").getTime() < to.getTime() ? 1 : 0);
}

/**
 * Every bucket start in [from, to). Throws `RangeError` for more than `MAX_BUCKETS`
 * buckets, counted before the list is built.
 */
export function bucketStarts(from: Date, to: Date, bucket: Bucket): Date[] {
  const count = bucketCount(from, to, bucket);
  if (count > MAX_BUCKETS) {
    throw new RangeError(`${count} ${bucket} buckets; at most ${MAX_BUCKETS} are listed.`);
  }
  const out: Date[] = [];
  for (let t = truncate(from, bucket); t < to; t = nextBucket(t, bucket)) out.push(t);
  return out;
}

/**
 * Computes trends. Without `to`, the range ends after the newest article (at
 * the latest at the end of `MAX_YEAR`); without `from`, it covers 30 buckets
 * before `to`. Refuses a taxonomy no model serves (`unknownTaxonomy`), a range
 * that is empty or inverted (`invalidRange`) or wider than `MAX_BUCKETS`
 * (`tooManyBuckets`, counted before any bucket is listed).
 */
export async function labelTrends(
  db: Db,
  q: TrendsQuery,
): Promise<Outcome<TrendsResult, TrendsRefusalCode>> {
  const known = await checkTaxonomy(db, q.taxonomy);
  if (!known.ok) return known;
  await foldPendingStats(db);
  const dataRange = await statsRange(db);
  const range = bucketRange(q, dataRange?.last ?? null);
  if (!range.ok) return range;
  const { starts, first, end } = range.value;
  const { drafts, bucketTotals } = await labelSeries(db, q, starts);
  // Rising terms: the latest `recent` buckets against the SPIKE_WINDOW buckets before them
  // (what is new now, not the whole range against an earlier one, which on a data set's
  // first years is empty). Only when asked for, in one query for every label.
  const recent = Math.min(Math.max(1, q.recent ?? 1), starts.length);
  const risingFrom = starts[starts.length - recent];
  const risingPeriod = {
    baselineFrom: nextBucket(risingFrom, q.bucket, -SPIKE_WINDOW).toISOString(),
    from: risingFrom.toISOString(),
    to: end.toISOString(),
  };
  const terms = q.terms === 0 ? null : await termCountsForPeriods(db, {
    labels: drafts.map((d) => d.label),
    ...risingPeriod,
    minCount: RISING_MIN_COUNT,
    taxonomy: q.taxonomy,
  });
  const topics = drafts.map((d) => labelTrend(d, bucketTotals, terms?.get(d.label), q.terms));
  topics.sort((a, b) => b.total - a.total);
  return done({
    bucket: q.bucket,
    from: first.toISOString(),
    to: end.toISOString(),
    risingPeriod,
    dataRange,
    topics,
  });
}

/**
 * The buckets a query asks for (by default the 30 before the one after the latest data),
 * counted from the two dates before any list is built: a range of millennia in hours would
 * otherwise allocate millions of dates before being refused.
 */
function bucketRange(
  q: TrendsQuery,
  lastData: string | null,
): Outcome<{ starts: Date[]; first: Date; end: Date }, TrendsRefusalCode> {
  const dataEnd = nextBucket(truncate(new Date(lastData ?? Date.now()), q.bucket), q.bucket);
  const toDate = q.to ? new Date(q.to) : dataEnd < LATEST ? dataEnd : LATEST;
  const fromDate = q.from
    ? new Date(q.from)
    : nextBucket(truncate(toDate, q.bucket), q.bucket, -30);
  if (!(fromDate < toDate)) return refuse("invalidRange", "`from` must be before `to`.");
  const count = bucketCount(fromDate, toDate, q.bucket);
  if (count > MAX_BUCKETS) {
    return refuse(
      "tooManyBuckets",
      `The range spans ${count} ${q.bucket} buckets; at most ${MAX_BUCKETS} are allowed. Use a larger bucket or a shorter range.`,
    );
  }
  const starts = bucketStarts(fromDate, toDate, q.bucket);
  return done({ starts, first: starts[0], end: nextBucket(starts[starts.length - 1], q.bucket) });
}

/** A label's counts in the range, with its spikes, total and the previous period's total. */
interface LabelDraft {
  label: string;
  visible: ReturnType<typeof detectSpikes>;
  total: number;
  previous: number;
}

/**
 * Each label's series over the range `starts` (with the history before it that the change
 * and the spike baseline need), and every bucket's total over all labels.
 */
async function labelSeries(
  db: Db,
  q: TrendsQuery,
  starts: Date[],
): Promise<{ drafts: LabelDraft[]; bucketTotals: Map<string, number> }> {
  const first = starts[0];
  const end = nextBucket(starts[starts.length - 1], q.bucket);
  // The previous period (for change) has the same length; the spike baseline needs SPIKE_WINDOW buckets.
  const lookback = Math.max(starts.length, SPIKE_WINDOW);
  const historyStart = nextBucket(first, q.bucket, -lookback);
  const rows = await countsByBucket(db, {
    bucket: q.bucket,
    from: historyStart.toISOString(),
    to: end.toISOString(),
    label: q.label,
    source: q.source,
    taxonomy: q.taxonomy,
  });
  // History and range listed apart, so each list stays within MAX_BUCKETS.
  const all = [...bucketStarts(historyStart, first, q.bucket), ...starts].map((d) =>
    d.toISOString()
  );
  const inRange = new Set(starts.map((d) => d.toISOString()));
  // Buckets before the data began are no baseline: the first buckets of a data set are
  // never spikes against the zeros before it.
  const firstDay = await firstDataDay(db, { source: q.source });
  const dataFrom = firstDay
    ? truncate(new Date(`${firstDay}T00:00:00Z`), q.bucket).toISOString()
    : "";
  const dataStart = Math.max(0, all.findIndex((b) => b >= dataFrom));
  const byLabel = new Map<string, Map<string, number>>();
  const bucketTotals = new Map<string, number>();
  for (const r of rows) {
    const m = byLabel.get(r.label) ?? new Map<string, number>();
    m.set(r.bucket, r.count);
    byLabel.set(r.label, m);
    bucketTotals.set(r.bucket, (bucketTotals.get(r.bucket) ?? 0) + r.count);
  }
  const previousStart = nextBucket(first, q.bucket, -starts.length).toISOString();
  const drafts = [...byLabel].map(([label, counts]) => {
    const series = all.map((bucket) => ({ bucket, count: counts.get(bucket) ?? 0 }));
    const visible = detectSpikes(series, { window: SPIKE_WINDOW, dataStart }).filter((p) =>
      inRange.has(p.bucket)
    );
    const total = visible.reduce((n, p) => n + p.count, 0);
    const previous = series.filter((p) => p.bucket >= previousStart && !inRange.has(p.bucket))
      .reduce((n, p) => n + p.count, 0);
    return { label, visible, total, previous };
  }).filter((d) => d.total > 0 || d.previous > 0);
  return { drafts, bucketTotals };
}

/** A label's trend as answered: shares per bucket, spikes, change and rising terms. */
function labelTrend(
  { label, visible, total, previous }: LabelDraft,
  bucketTotals: Map<string, number>,
  t: PeriodTerms | undefined,
  limit: number | undefined,
): LabelTrend {
  return {
    topic: label || "(unclassified)",
    total,
    change: changeVsPrevious(total, previous),
    series: visible.map((p) => ({
      bucket: p.bucket,
      count: p.count,
      share: bucketTotals.get(p.bucket) ? p.count / bucketTotals.get(p.bucket)! : 0,
      score: Math.round(p.score * 100) / 100,
      spike: p.spike,
    })),
    spikes: visible.filter((p) => p.spike).map((p) => ({
      bucket: p.bucket,
      count: p.count,
      baseline: p.baseline,
      score: Math.round(p.score * 100) / 100,
    })),
    risingTerms: t
      ? risingTerms(t.current, t.baseline, {
        minCount: RISING_MIN_COUNT,
        limit,
        currentTotal: t.currentTotal,
        baselineTotal: t.baselineTotal,
        currentPhraseTotal: t.currentPhraseTotal,
        baselinePhraseTotal: t.baselinePhraseTotal,
      })
      : [],
  };
}

/**
 * Rolls up the term counts of changed months before the current one (UTC),
 * so long trend ranges read months rather than days. Run periodically by
 * `serve` and after `seed`; queries are right without it, only slower.
 */
export async function rollUpPastMonths(db: Db, now = new Date()): Promise<number> {
  await foldPendingStats(db);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return rollUpTermMonths(db, monthStart.toISOString().slice(0, 10));
}

/** Articles {@link fillArticleTerms} reads and writes per batch. */
const TERMS_BATCH = 500;

/**
 * Stores the terms of articles ingested before they were kept (see migration
 * 0010), a batch at a time, so a reviewed topic can move their term counts.
 * Their words only, as they were counted then; `addPhrasesToOlderArticles()`
 * adds their phrases to both. Returns how many were filled; one indexed query
 * when there are none.
 */
export async function fillArticleTerms(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await articlesWithoutTerms(db, TERMS_BATCH);
    await setArticleTerms(
      db,
      batch.map((a) => ({
        id: a.id,
        terms: termCounts(`${a.title}. ${a.body}`, { bigrams: false }),
      })),
    );
    total += batch.length;
    if (batch.length < TERMS_BATCH) return total;
  }
}
