/**
 * Shapes of the `/v1` JSON the islands read (mirrors of the OpenAPI schemas;
 * islands cannot import `db/`, so the types are restated here).
 */

export interface ReviewItem {
  id: number;
  articleId: number;
  modelVersion: string;
  labels: string[];
  predictedLabel: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: string[];
  shadowLabel: string | null;
  /** A suspected label error: the label the data came with and the suggestion (score: its quality). */
  labelIssue?: { given: string; suggested: string; score: number } | null;
  status: string;
  leaseExpiresAt: string | null;
  finalLabel: string | null;
  finalFlag: string | null;
  article: {
    id: number;
    title: string;
    source: string | null;
    url: string | null;
    language: string | null;
    publishedAt: string;
    body?: string;
    summary?: string | null;
  };
}

export interface ReviewStats {
  total: number;
  byStatus: Record<string, number>;
  byReviewer: Array<{ reviewer: string; decisions: number }>;
}

export interface TrendPoint {
  bucket: string;
  count: number;
  share: number;
  score: number;
  spike: boolean;
}

export interface LabelTrend {
  topic: string;
  total: number;
  change: { current: number; previous: number; percent: number | null; direction: string };
  series: TrendPoint[];
  spikes: Array<{ bucket: string; count: number; baseline: number | null; score: number }>;
  risingTerms: RisingTerm[];
}

export interface RisingTerm {
  term: string;
  phrase: boolean;
  count: number;
  total: number;
  baselineCount: number;
  baselineTotal: number;
  rate: number;
  baselineRate: number;
  g2: number;
  /** 0.001: strong evidence (G² ≥ 10.83); 0.01: G² ≥ 6.63. */
  p: number;
  ratio: number;
  explanation: string;
}

export interface TrendsResult {
  bucket: "hour" | "day" | "week" | "month";
  from: string;
  to: string;
  risingPeriod: { baselineFrom: string; from: string; to: string };
  dataRange: { first: string; last: string } | null;
  topics: LabelTrend[];
}
