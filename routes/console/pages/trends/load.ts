/** The trends page's data: its query, defaulting to where the data is (read through `db/`). */
import type { Db } from "../../../../db/mod.ts";
import { countsByBucket, foldPendingStats, statsRange } from "../../../../db/trends.ts";
import type { Bucket } from "../../../../db/trends.ts";
import { nextBucket, truncate } from "../../../../services/trends.ts";
import { DEFAULT_TAXONOMY } from "../../../../services/taxonomies.ts";

/** The source whose real dates make the sample trends worth seeing (HuffPost 2018–2022). */
export const DEFAULT_TRENDS_SOURCE = "huffpost.com";

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
  const dateBucket = bucket === "hour" ? "day" : bucket;
  return {
    query: {
      bucket,
      // The form holds dates, so the range is whole days (an hour bucket shows a day in hours:
      // data dated within one day would otherwise give an empty range).
      from: q.from ?? truncate(first, dateBucket).toISOString().slice(0, 10),
      to: q.to ?? nextBucket(truncate(last, dateBucket), dateBucket).toISOString().slice(0, 10),
      source: chosen,
      taxonomy,
    },
    dataRange: range,
  };
}
