/**
 * Data for the console pages, read on the server through `db/` and `lib/`
 * (the same functions the `/v1` routes call). Writes never happen here: the
 * console forwards them to the JSON API.
 */
import { getStory } from "../../db/stories.ts";
import { getArticle, listArticles } from "../../db/articles.ts";
import { readiness } from "../../db/migrate.ts";
import { activationHistory, listModels, type ModelRecord } from "../../db/models.ts";
import { listRetrains } from "../../db/retrains.ts";
import type { Db } from "../../db/mod.ts";
import { predictionsFor } from "../../db/predictions.ts";
import {
  FLAG_REASONS,
  getReviewItem,
  itemLabels,
  listAudit,
  listReviewItems,
  newLabelsSinceTraining,
  reviewCounts,
  type ReviewFilter,
  type ReviewItem,
  shadowAgreement,
  shadowModelVersion,
} from "../../db/review/mod.ts";
import { getRun, listRuns } from "../../db/training_runs.ts";
import { countsByBucket, foldPendingStats, statsRange } from "../../db/trends.ts";
import type { Bucket } from "../../db/trends.ts";
import { AppError } from "../../lib/errors.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { nextBucket, truncate } from "../../services/trends.ts";
import {
  compareRuns,
  type RunComparison,
  type RunSummary,
  summarizeRun,
} from "../../services/training_runs.ts";
import { DEFAULT_TAXONOMY, listTaxonomies } from "../../services/taxonomies.ts";
import { similarArticles } from "../../services/similar_articles.ts";

/**
 * The taxonomies to offer and the one shown: `asked` when a model serves it, else `topic`
 * (a console page never fails over a stale taxonomy in its URL).
 */
export async function taxonomyChoice(db: Db, asked: string | undefined) {
  const taxonomies = await listTaxonomies(db);
  const taxonomy = asked && taxonomies.includes(asked) ? asked : DEFAULT_TAXONOMY;
  return { taxonomies, taxonomy };
}

export { FLAG_REASONS };

/** The source whose real dates make the sample trends worth seeing (HuffPost 2018–2022). */
export const DEFAULT_TRENDS_SOURCE = "huffpost.com";

export async function dashboardData(db: Db, metrics: Metrics, asked?: string) {
  const { database, migrations } = await readiness(db);
  const choice = database === "ok"
    ? await taxonomyChoice(db, asked)
    : { taxonomies: [DEFAULT_TAXONOMY], taxonomy: DEFAULT_TAXONOMY };
  const { taxonomy } = choice;
  const [m, counts, decided, trends] = await Promise.all([
    metrics.json(),
    database === "ok" ? reviewCounts(db, taxonomy) : null,
    database === "ok" ? listAudit(db, { event: "decided", limit: 500 }) : [],
    database === "ok" ? trendsForPage(db, { taxonomy }).catch(() => null) : null,
  ]);
  const now = Date.now();
  const within = (ms: number) => decided.filter((a) => now - Date.parse(a.at) <= ms).length;
  return {
    ...choice,
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

/** Review queue figures and the first items matching the filters, of one taxonomy. */
export async function queueData(db: Db, filter: QueueQuery) {
  const { order, ...f } = filter;
  const choice = await taxonomyChoice(db, f.taxonomy);
  const { taxonomy } = choice;
  const [counts, items, learning] = await Promise.all([
    reviewCounts(db, taxonomy),
    listReviewItems(db, { ...f, taxonomy }, { order: order ?? "margin", limit: 50 }),
    newLabelsSinceTraining(db, taxonomy),
  ]);
  return { counts, items, learning, ...choice };
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
    label?: string;
    taxonomy?: string;
  },
) {
  const limit = 25;
  const choice = await taxonomyChoice(db, filter.taxonomy);
  const rows = await listArticles(db, { ...filter, taxonomy: choice.taxonomy, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return {
    items,
    nextBeforeId: rows.length > limit ? items[items.length - 1].id : null,
    ...choice,
  };
}

/** Other articles of an article's story listed on its page at most. */
const STORY_ARTICLES_SHOWN = 20;

/** The article page lists this many similar articles, published within this many days. */
const SIMILAR_SHOWN = 8;
const SIMILAR_DAYS = 7;

export async function articleData(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new AppError(404, "articleNotFound", `No article ${id}.`);
  const [predictions, reviews, history, story, similar] = await Promise.all([
    predictionsFor(db, id),
    reviewItemsOfArticle(db, id),
    listAudit(db, { articleId: id, limit: 200 }),
    article.story === null ? null : getStory(db, article.story, STORY_ARTICLES_SHOWN + 1),
    similarArticles(db, id, { days: SIMILAR_DAYS, limit: SIMILAR_SHOWN }),
  ]);
  const decisions = await Promise.all(reviews.map((r) => itemLabels(db, r.id)));
  return { article, predictions, reviews, decisions: decisions.flat(), history, story, similar };
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
  const [models, history, shadow, agreement, learning, retrains] = await Promise.all([
    listModels(db),
    activationHistory(db, 20),
    shadowModelVersion(db),
    shadowAgreement(db),
    newLabelsSinceTraining(db),
    listRetrains(db, 20),
  ]);
  return { models, history, shadow, agreement, learning, retrains };
}

/** Runs shown on the runs page (newest first). */
export const RUNS_PAGE_LIMIT = 100;

export interface RunsPageData {
  runs: RunSummary[];
  /** The two runs asked for, compared (the same comparison as `runs compare`). */
  comparison: RunComparison | null;
  /** Why there is no comparison though two runs were asked for. */
  problem: string | null;
}

/** The newest runs and, when `a` and `b` name two runs, their comparison. */
export async function runsData(
  db: Db,
  pick: { a?: number; b?: number },
): Promise<RunsPageData> {
  const runs = (await listRuns(db, { limit: RUNS_PAGE_LIMIT })).map(summarizeRun);
  if (pick.a === undefined || pick.b === undefined) {
    const one = pick.a ?? pick.b;
    const problem = one === undefined ? null : "Choose two runs to compare: one A and one B.";
    return { runs, comparison: null, problem };
  }
  const [a, b] = await Promise.all([getRun(db, pick.a), getRun(db, pick.b)]);
  const missing = !a ? pick.a : !b ? pick.b : null;
  if (missing !== null) return { runs, comparison: null, problem: `No training run ${missing}.` };
  return { runs, comparison: compareRuns(a!, b!), problem: null };
}

export interface TrendsPageQuery {
  bucket?: Bucket;
  from?: string;
  to?: string;
  source?: string;
  /** Whose labels are counted (default `topic`). */
  taxonomy?: string;
}

export interface TrendsPageData {
  query: { bucket: Bucket; from: string; to: string; source: string; taxonomy: string };
  dataRange: { first: string; last: string } | null;
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
 * The trends page's query. Without a range, the default shows where the data
 * is: the HuffPost sample's own years when it is there (the AG News sample is
 * dated at ingestion, one huge bucket that would flatten everything else),
 * otherwise the whole data range, with a bucket size that keeps the chart
 * readable. Only cheap count queries run here; the island loads `/v1/trends`
 * itself (its rising terms are the expensive part), so the page's first byte
 * does not wait for them.
 */
export async function trendsForPage(db: Db, q: TrendsPageQuery): Promise<TrendsPageData> {
  const source = q.source ?? "";
  const taxonomy = q.taxonomy ?? DEFAULT_TAXONOMY;
  await foldPendingStats(db);
  const range = await statsRange(db);
  if (q.from && q.to) {
    return {
      query: { bucket: q.bucket ?? "day", from: q.from, to: q.to, source, taxonomy },
      dataRange: range,
    };
  }
  if (!range) {
    return {
      query: { bucket: q.bucket ?? "day", from: "", to: "", source, taxonomy },
      dataRange: null,
    };
  }
  let first = new Date(range.first);
  let last = new Date(range.last);
  let chosen = source;
  const spanOf = async (src: string) => {
    const rows = await countsByBucket(db, {
      bucket: "month",
      from: truncate(first, "month").toISOString(),
      to: nextBucket(truncate(last, "month"), "month").toISOString(),
      source: src || undefined,
      taxonomy,
    });
    const used = rows.filter((r) => r.count > 0).map((r) => r.bucket).sort();
    return used.length ? { from: used[0], to: used[used.length - 1] } : null;
  };
  let span = null;
  if (q.source === undefined) {
    span = await spanOf(DEFAULT_TRENDS_SOURCE);
    if (span) chosen = DEFAULT_TRENDS_SOURCE;
  } else if (source) span = await spanOf(source);
  if (span) {
    first = new Date(span.from);
    last = new Date(nextBucket(new Date(span.to), "month").getTime() - 1);
  }
  const bucket = q.bucket ?? bucketFor(last.getTime() - first.getTime());
  return {
    query: {
      bucket,
      from: q.from ?? truncate(first, bucket).toISOString().slice(0, 10),
      to: q.to ?? nextBucket(truncate(last, bucket), bucket).toISOString().slice(0, 10),
      source: chosen,
      taxonomy,
    },
    dataRange: range,
  };
}
