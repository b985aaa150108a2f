/** The trends island's query: its props' types, the `/v1/trends` URL, bucket labels. */
import type { TrendsResult } from "../types.ts";

export interface TrendsQueryProps {
  bucket: "hour" | "day" | "week" | "month";
  /** `YYYY-MM-DD` (UTC), inclusive. */
  from: string;
  /** `YYYY-MM-DD` (UTC), exclusive. */
  to: string;
  source: string;
  /** Whose labels are counted (`topic` when absent). */
  taxonomy?: string;
  /** Rising terms are those of the latest this many buckets (default 2). */
  recent?: number;
}

export interface TrendsChartProps {
  initial: TrendsResult | null;
  query: TrendsQueryProps;
  compact?: boolean;
  /** Error text from the server-side load, shown instead of a chart. */
  error?: string | null;
}

/** Same order as the `.c0`..`.c7` classes in console.css. */
export const COLORS = [
  "#2c5cc5",
  "#d9822b",
  "#2a9d74",
  "#c0392b",
  "#8e5cc2",
  "#4a9fc9",
  "#b7950b",
  "#6b7385",
];
export const BUCKETS = ["hour", "day", "week", "month"] as const;
/**
 * Rising terms over the latest two buckets by default: one (a month of a small topic) often
 * holds too few occurrences to tell a rise from chance.
 */
export const DEFAULT_RECENT = 2;

/** `/v1/trends` for a query, with up to `terms` rising terms per topic. */
export function trendsUrl(q: TrendsQueryProps, terms: number): string {
  const p = new URLSearchParams({
    bucket: q.bucket,
    terms: String(terms),
    recent: String(q.recent ?? DEFAULT_RECENT),
  });
  if (q.from) p.set("from", `${q.from}T00:00:00Z`);
  if (q.to) p.set("to", `${q.to}T00:00:00Z`);
  if (q.source) p.set("source", q.source);
  if (q.taxonomy && q.taxonomy !== "topic") p.set("taxonomy", q.taxonomy);
  return `/v1/trends?${p}`;
}

/** A bucket's start as the page shows it: month, day, or day and hour. */
export function label(bucket: string, size: TrendsQueryProps["bucket"]): string {
  if (size === "month") return bucket.slice(0, 7);
  if (size === "hour") return bucket.slice(0, 13).replace("T", " ") + "h";
  return bucket.slice(0, 10);
}
