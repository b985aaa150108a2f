/**
 * Topic trends: per topic, article counts and shares per bucket, change
 * against the previous period, spikes, and rising terms. Counts come from the
 * statistics kept at ingestion (db/trends.ts), folded in before each read; the
 * math is ml/trends.ts.
 */
import {
  type Bucket,
  countsByBucket,
  foldPendingStats,
  rollUpTermMonths,
  statsRange,
  termCountsForPeriods,
} from "../db/trends.ts";
import { articlesWithoutTerms, setArticleTerms } from "../db/articles.ts";
import type { Db } from "../db/mod.ts";
import { articleTerms } from "../ml/terms.ts";
import {
  type Change,
  changeVsPrevious,
  detectSpikes,
  type RisingTerm,
  risingTerms,
} from "../ml/trends.ts";
import { AppError } from "../lib/errors.ts";

/** Most buckets one request may span (e.g. 2 years of days, 41 days of hours). */
export const MAX_BUCKETS = 1_000;
/** Trailing buckets used as the spike baseline (fetched before `from`). */
export const SPIKE_WINDOW = 7;
/** Rising terms need this many occurrences in the period. */
export const RISING_MIN_COUNT = 5;

export interface TrendsQuery {
  bucket: Bucket;
  from?: string;
  to?: string;
  topic?: string;
  source?: string;
  terms: number;
}

export interface TopicTrend {
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
  dataRange: { first: string; last: string } | null;
  topics: TopicTrend[];
}

/** The start of the UTC bucket holding `t`. */
export function truncate(t: Date, bucket: Bucket): Date {
  const d = new Date(
    Date.UTC(
      t.getUTCFullYear(),
      t.getUTCMonth(),
      t.getUTCDate(),
      bucket === "hour" ? t.getUTCHours() : 0,
    ),
  );
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

/** Every bucket start in [from, to). */
export function bucketStarts(from: Date, to: Date, bucket: Bucket): Date[] {
  const out: Date[] = [];
  for (let t = truncate(from, bucket); t < to; t = nextBucket(t, bucket)) out.push(t);
  return out;
}

/**
 * Computes trends. Without `to`, the range ends after the newest article;
 * without `from`, it covers 30 buckets before `to`. Throws 422 for a range
 * that is empty, inverted or wider than `MAX_BUCKETS`.
 */
export async function topicTrends(db: Db, q: TrendsQuery): Promise<TrendsResult> {
  await foldPendingStats(db);
  const dataRange = await statsRange(db);
  const toDate = q.to
    ? new Date(q.to)
    : nextBucket(truncate(new Date(dataRange?.last ?? Date.now()), q.bucket), q.bucket);
  const fromDate = q.from
    ? new Date(q.from)
    : nextBucket(truncate(toDate, q.bucket), q.bucket, -30);
  if (fromDate >= toDate) throw new AppError(422, "invalidRange", "`from` must be before `to`.");
  const starts = bucketStarts(fromDate, toDate, q.bucket);
  if (starts.length > MAX_BUCKETS) {
    throw new AppError(
      422,
      "tooManyBuckets",
      `The range spans ${starts.length} ${q.bucket} buckets; at most ${MAX_BUCKETS} are allowed. Use a larger bucket or a shorter range.`,
    );
  }
  const first = starts[0];
  const end = nextBucket(starts[starts.length - 1], q.bucket);
  // The previous period (for change) has the same length; the spike baseline needs SPIKE_WINDOW buckets.
  const lookback = Math.max(starts.length, SPIKE_WINDOW);
  const historyStart = nextBucket(first, q.bucket, -lookback);
  const rows = await countsByBucket(db, {
    bucket: q.bucket,
    from: historyStart.toISOString(),
    to: end.toISOString(),
    topic: q.topic,
    source: q.source,
  });
  const all = bucketStarts(historyStart, end, q.bucket).map((d) => d.toISOString());
  const inRange = new Set(starts.map((d) => d.toISOString()));
  const byTopic = new Map<string, Map<string, number>>();
  const bucketTotals = new Map<string, number>();
  for (const r of rows) {
    const m = byTopic.get(r.topic) ?? new Map<string, number>();
    m.set(r.bucket, r.count);
    byTopic.set(r.topic, m);
    bucketTotals.set(r.bucket, (bucketTotals.get(r.bucket) ?? 0) + r.count);
  }
  const previousStart = nextBucket(first, q.bucket, -starts.length).toISOString();
  const drafts = [...byTopic].map(([topic, counts]) => {
    const series = all.map((bucket) => ({ bucket, count: counts.get(bucket) ?? 0 }));
    const visible = detectSpikes(series, { window: SPIKE_WINDOW }).filter((p) =>
      inRange.has(p.bucket)
    );
    const total = visible.reduce((n, p) => n + p.count, 0);
    const previous = series.filter((p) => p.bucket >= previousStart && !inRange.has(p.bucket))
      .reduce((n, p) => n + p.count, 0);
    return { topic, visible, total, previous };
  }).filter((d) => d.total > 0 || d.previous > 0);
  // Term statistics only when asked for, in one query for every topic.
  const terms = q.terms === 0 ? null : await termCountsForPeriods(db, {
    topics: drafts.map((d) => d.topic),
    baselineFrom: previousStart,
    from: first.toISOString(),
    to: end.toISOString(),
    minCount: RISING_MIN_COUNT,
  });
  const topics: TopicTrend[] = drafts.map(({ topic, visible, total, previous }) => {
    const t = terms?.get(topic);
    return {
      topic: topic || "(unclassified)",
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
          limit: q.terms,
          currentTotal: t.currentTotal,
          baselineTotal: t.baselineTotal,
        })
        : [],
    };
  });
  topics.sort((a, b) => b.total - a.total);
  return { bucket: q.bucket, from: first.toISOString(), to: end.toISOString(), dataRange, topics };
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
 * Returns how many were filled; one indexed query when there are none.
 */
export async function fillArticleTerms(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await articlesWithoutTerms(db, TERMS_BATCH);
    await setArticleTerms(
      db,
      batch.map((a) => ({ id: a.id, terms: articleTerms(a.title, a.body) })),
    );
    total += batch.length;
    if (batch.length < TERMS_BATCH) return total;
  }
}
