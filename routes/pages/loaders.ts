/**
 * Data for the console pages, read on the server through `db/` and `lib/`
 * (the same functions the `/v1` routes call). Writes never happen here: the
 * console forwards them to the JSON API.
 */
import { getArticle, listArticles } from "../../db/articles.ts";
import { migrationsCurrent } from "../../db/migrate.ts";
import { activationHistory, listModels, type ModelRecord } from "../../db/models.ts";
import type { Db } from "../../db/mod.ts";
import { predictionsFor } from "../../db/predictions.ts";
import {
  FLAG_REASONS,
  getReviewItem,
  type ReviewFilter,
  type ReviewItem,
} from "../../db/review.ts";
import { itemLabels, listAudit, listReviewItems } from "../../db/review_read.ts";
import { shadowAgreement, shadowModelVersion } from "../../db/review_shadow.ts";
import { newLabelsSinceTraining, reviewCounts } from "../../db/review_stats.ts";
import { statsRange } from "../../db/trends.ts";
import type { Bucket } from "../../db/trends.ts";
import { AppError } from "../../lib/errors.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { nextBucket, topicTrends, type TrendsResult, truncate } from "../../lib/trends.ts";

export { FLAG_REASONS };

/** The source whose real dates make the sample trends worth seeing (HuffPost 2018–2022). */
export const DEFAULT_TRENDS_SOURCE = "huffpost.com";

export async function dashboardData(db: Db, metrics: Metrics) {
  let database = "ok";
  let migrations = "unknown";
  try {
    await db.query("SELECT 1");
    migrations = await migrationsCurrent(db) ? "current" : "pending";
  } catch {
    database = "unreachable";
  }
  const [m, counts, decided, trends] = await Promise.all([
    metrics.json(),
    database === "ok" ? reviewCounts(db) : null,
    database === "ok" ? listAudit(db, { event: "decided", limit: 500 }) : [],
    database === "ok" ? trendsForPage(db, {}, { terms: 0 }).catch(() => null) : null,
  ]);
  const now = Date.now();
  const within = (ms: number) => decided.filter((a) => now - Date.parse(a.at) <= ms).length;
  return {
    ready: database === "ok" && migrations === "current",
    database,
    migrations,
    metrics: m,
    counts,
    throughput: {
      lastHour: within(3_600_000),
      lastDay: within(86_400_000),
      capped: decided.length >= 500,
    },
    trends,
  };
}

export interface QueueQuery extends ReviewFilter {
  order?: "margin" | "oldest" | "newest";
}

/** Review queue figures and the first items matching the filters. */
export async function queueData(db: Db, filter: QueueQuery) {
  const { order, ...f } = filter;
  const [counts, items, learning] = await Promise.all([
    reviewCounts(db),
    listReviewItems(db, f, { order: order ?? "margin", limit: 50 }),
    newLabelsSinceTraining(db),
  ]);
  return { counts, items, learning };
}

/** At most this many matching items are counted before a bulk accept is confirmed. */
export const BULK_COUNT_CAP = 1000;

/** How many open items a bulk accept with `filter` would take (capped). */
export async function countOpen(db: Db, filter: ReviewFilter): Promise<number> {
  const [queued, labelled] = await Promise.all([
    listReviewItems(db, { ...filter, status: "queued" }, { limit: BULK_COUNT_CAP + 1 }),
    listReviewItems(db, { ...filter, status: "labelled" }, { limit: BULK_COUNT_CAP + 1 }),
  ]);
  return queued.length + labelled.length;
}

export async function articlesData(
  db: Db,
  filter: {
    q?: string;
    source?: string;
    language?: string;
    since?: string;
    until?: string;
    beforeId?: number;
  },
) {
  const limit = 25;
  const rows = await listArticles(db, { ...filter, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextBeforeId: rows.length > limit ? items[items.length - 1].id : null };
}

export async function articleData(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new AppError(404, "articleNotFound", `No article ${id}.`);
  const [predictions, reviews, history] = await Promise.all([
    predictionsFor(db, id),
    reviewItemsOfArticle(db, id),
    listAudit(db, { articleId: id, limit: 200 }),
  ]);
  const decisions = await Promise.all(reviews.map((r) => itemLabels(db, r.id)));
  return { article, predictions, reviews, decisions: decisions.flat(), history };
}

/** Review items of one article (an article has one per model version at most). */
async function reviewItemsOfArticle(db: Db, articleId: number): Promise<ReviewItem[]> {
  const audit = await listAudit(db, { articleId, event: "queued", limit: 50 });
  const ids = [...new Set(audit.map((a) => a.itemId))];
  const items = await Promise.all(ids.map((id) => getReviewItem(db, id)));
  return items.filter((i): i is ReviewItem => i !== null);
}

/** A model's evaluation figures, read defensively from its manifest. */
export interface ModelFigures {
  accuracy: number | null;
  macroF1: number | null;
  evalSize: number | null;
  trainingSize: number | null;
  labels: string[];
  confusion: number[][] | null;
  perClass: Array<
    { label: string; precision: number; recall: number; f1: number; support: number }
  >;
}

export function modelFigures(m: ModelRecord): ModelFigures {
  const manifest = (m.manifest ?? {}) as Record<string, unknown>;
  const metrics = (manifest.metrics ?? {}) as Record<string, unknown>;
  const report = (metrics.report ?? metrics) as Record<string, unknown>;
  const numOr = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const labels = Array.isArray(report.labels) ? report.labels.map(String) : m.labels;
  const confusion = Array.isArray(report.confusion) &&
      report.confusion.every((r) => Array.isArray(r) && r.every((n) => typeof n === "number"))
    ? report.confusion as number[][]
    : null;
  const perClassRaw = (report.perClass ?? {}) as Record<string, Record<string, unknown>>;
  const perClass = labels.filter((l) => perClassRaw[l]).map((label) => ({
    label,
    precision: numOr(perClassRaw[label].precision) ?? 0,
    recall: numOr(perClassRaw[label].recall) ?? 0,
    f1: numOr(perClassRaw[label].f1) ?? 0,
    support: numOr(perClassRaw[label].support) ?? 0,
  }));
  const training = (manifest.trainingData ?? {}) as Record<string, unknown>;
  return {
    accuracy: numOr(report.accuracy),
    macroF1: numOr(report.macroF1),
    evalSize: numOr(report.size) ?? numOr(metrics.size),
    trainingSize: numOr(training.size),
    labels,
    confusion,
    perClass,
  };
}

export async function modelsData(db: Db) {
  const [models, history, shadow, agreement, learning] = await Promise.all([
    listModels(db),
    activationHistory(db, 20),
    shadowModelVersion(db),
    shadowAgreement(db),
    newLabelsSinceTraining(db),
  ]);
  return { models, history, shadow, agreement, learning };
}

export interface TrendsPageQuery {
  bucket?: Bucket;
  from?: string;
  to?: string;
  source?: string;
}

export interface TrendsPageData {
  query: { bucket: Bucket; from: string; to: string; source: string };
  data: TrendsResult | null;
  error: string | null;
}

const DAY = 86_400_000;

function bucketFor(spanMs: number): Bucket {
  return spanMs > 400 * DAY
    ? "month"
    : spanMs > 90 * DAY
    ? "week"
    : spanMs > 3 * DAY
    ? "day"
    : "hour";
}

/**
 * Trends for the page. Without a range, the default shows where the data is:
 * the HuffPost sample's own years when it is there (the AG News sample is
 * dated at ingestion, one huge bucket that would flatten everything else),
 * otherwise the whole data range, with a bucket size that keeps the chart readable.
 */
export async function trendsForPage(
  db: Db,
  q: TrendsPageQuery,
  options: { terms?: number } = {},
): Promise<TrendsPageData> {
  const terms = options.terms ?? 8;
  let source = q.source ?? "";
  let { from, to, bucket } = q;
  if (!from || !to) {
    const range = await statsRange(db);
    if (!range) {
      return {
        query: { bucket: bucket ?? "day", from: "", to: "", source },
        data: null,
        error: null,
      };
    }
    let first = new Date(range.first);
    let last = new Date(range.last);
    const probeBucket: Bucket = "month";
    const probe = async (src: string) =>
      await topicTrends(db, {
        bucket: probeBucket,
        from: truncate(first, probeBucket).toISOString(),
        to: nextBucket(truncate(last, probeBucket), probeBucket).toISOString(),
        source: src || undefined,
        terms: 0,
      });
    if (q.source === undefined) {
      const p = await probe(DEFAULT_TRENDS_SOURCE);
      if (p.topics.length > 0) source = DEFAULT_TRENDS_SOURCE;
    }
    if (source) {
      const p = await probe(source);
      const used = (p.topics[0]?.series ?? []).map((_, i) => i).filter((i) =>
        p.topics.some((t) => t.series[i].count > 0)
      );
      if (used.length) {
        const series = p.topics[0].series;
        first = new Date(series[used[0]].bucket);
        last = new Date(series[used[used.length - 1]].bucket);
        last = nextBucket(last, probeBucket);
        last = new Date(last.getTime() - 1);
      }
    }
    bucket ??= bucketFor(last.getTime() - first.getTime());
    from ??= truncate(first, bucket).toISOString().slice(0, 10);
    to ??= nextBucket(truncate(last, bucket), bucket).toISOString().slice(0, 10);
  }
  bucket ??= "day";
  const query = { bucket, from, to, source };
  try {
    const data = await topicTrends(db, {
      bucket,
      from: `${from}T00:00:00Z`,
      to: `${to}T00:00:00Z`,
      source: source || undefined,
      terms,
    });
    return { query, data, error: null };
  } catch (e) {
    if (e instanceof AppError) return { query, data: null, error: e.message };
    throw e;
  }
}
