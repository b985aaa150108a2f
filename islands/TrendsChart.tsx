/**
 * Topic trends: a uPlot time series per topic with spikes ringed, topic
 * toggles, bucket and date-range choice, and rising terms beside the chart.
 * `compact` is the dashboard's small version (no controls, no terms).
 * Data comes from `GET /v1/trends`; the first load arrives in the props.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { api } from "./api.ts";
import type { LabelTrend, TrendsResult } from "./types.ts";

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
const COLORS = [
  "#2c5cc5",
  "#d9822b",
  "#2a9d74",
  "#c0392b",
  "#8e5cc2",
  "#4a9fc9",
  "#b7950b",
  "#6b7385",
];
const BUCKETS = ["hour", "day", "week", "month"] as const;
/**
 * Rising terms over the latest two buckets by default: one (a month of a small topic) often
 * holds too few occurrences to tell a rise from chance.
 */
const DEFAULT_RECENT = 2;

function trendsUrl(q: TrendsQueryProps, terms: number): string {
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

function label(bucket: string, size: TrendsQueryProps["bucket"]): string {
  if (size === "month") return bucket.slice(0, 7);
  if (size === "hour") return bucket.slice(0, 13).replace("T", " ") + "h";
  return bucket.slice(0, 10);
}

export default function TrendsChart(props: TrendsChartProps) {
  const [data, setData] = useState<TrendsResult | null>(props.initial);
  const [query, setQuery] = useState<TrendsQueryProps>(props.query);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(props.error ?? null);
  const [loading, setLoading] = useState(!props.initial && !props.error);
  const chartEl = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const first = useRef(true);

  const topics: LabelTrend[] = data?.topics ?? [];
  const shown = props.compact ? topics.slice(0, 6) : topics;

  // Load when the query changes, and on mount unless the props carried the data.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (props.initial) return;
    }
    let stale = false;
    setLoading(true);
    api<TrendsResult>("GET", trendsUrl(query, props.compact ? 0 : 8)).then((r) => {
      if (stale) return;
      setLoading(false);
      if (r.ok) {
        setData(r.data);
        setError(null);
      } else setError(r.message);
    });
    return () => {
      stale = true;
    };
  }, [query.bucket, query.from, query.to, query.source, query.recent]);

  // (Re)build the chart when the data changes.
  useEffect(() => {
    const el = chartEl.current;
    plot.current?.destroy();
    plot.current = null;
    if (!el || !data || shown.length === 0) return;
    const xs = (shown[0]?.series ?? []).map((p) => Date.parse(p.bucket) / 1000);
    const ys = shown.map((t) => t.series.map((p) => p.count));
    const spikes = shown.map((t) =>
      t.series.map((p, i) => (p.spike ? i : -1)).filter((i) => i >= 0)
    );
    const height = props.compact ? 170 : 340;
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      // The topic toggles are the legend; uPlot's own would repeat them.
      legend: { show: false },
      cursor: { drag: { x: !props.compact, y: false } },
      scales: { x: { time: true } },
      axes: [
        { stroke: "#5f6b7d", grid: { stroke: "#eceff3" } },
        { stroke: "#5f6b7d", grid: { stroke: "#eceff3" }, size: 48 },
      ],
      series: [
        {},
        ...shown.map((t, i) => ({
          label: t.topic,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          show: !hidden.has(t.topic),
          points: { show: false },
        })),
      ],
      hooks: {
        draw: [(u: uPlot) => {
          // Ring each spike of the visible topics.
          const ctx = u.ctx;
          ctx.save();
          ctx.lineWidth = 2 * devicePixelRatio;
          spikes.forEach((idxs, s) => {
            if (!u.series[s + 1].show) return;
            ctx.strokeStyle = COLORS[s % COLORS.length];
            ctx.fillStyle = "#ffffff";
            for (const i of idxs) {
              const x = u.valToPos(xs[i], "x", true);
              const y = u.valToPos(ys[s][i], "y", true);
              ctx.beginPath();
              ctx.arc(x, y, 5 * devicePixelRatio, 0, 2 * Math.PI);
              ctx.fill();
              ctx.stroke();
            }
          });
          ctx.restore();
        }],
      },
    };
    plot.current = new uPlot(opts, [xs, ...ys], el);
    const ro = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(240, el.clientWidth), height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [data, props.compact]);

  const toggle = (topic: string, i: number) => {
    const next = new Set(hidden);
    if (next.has(topic)) next.delete(topic);
    else next.add(topic);
    setHidden(next);
    plot.current?.setSeries(i + 1, { show: !next.has(topic) });
  };

  const set = (patch: Partial<TrendsQueryProps>) => setQuery((q) => ({ ...q, ...patch }));
  const visible = shown.filter((t) => !hidden.has(t.topic));
  const spikeRows = visible.flatMap((t) => t.spikes.map((s) => ({ topic: t.topic, ...s })))
    .sort((a, b) => b.score - a.score).slice(0, 8);

  return (
    <div data-testid="trends">
      {!props.compact && (
        <form class="filters trends-controls" onSubmit={(e) => e.preventDefault()}>
          <label class="field">
            Bucket
            <select
              value={query.bucket}
              onChange={(e) =>
                set({
                  bucket: (e.target as HTMLSelectElement).value as TrendsQueryProps["bucket"],
                })}
            >
              {BUCKETS.map((b) => (
                <option key={b} value={b} selected={b === query.bucket}>{b}</option>
              ))}
            </select>
          </label>
          <label class="field">
            From
            <input
              type="date"
              value={query.from}
              onChange={(e) => set({ from: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label class="field">
            To
            <input
              type="date"
              value={query.to}
              onChange={(e) => set({ to: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label class="field">
            Rising over
            <select
              value={String(query.recent ?? DEFAULT_RECENT)}
              onChange={(e) => set({ recent: Number((e.target as HTMLSelectElement).value) })}
            >
              {[1, 2, 3, 6].map((n) => (
                <option key={n} value={n} selected={n === (query.recent ?? DEFAULT_RECENT)}>
                  latest {n} {n === 1 ? "bucket" : "buckets"}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            Source
            <input
              type="text"
              value={query.source}
              placeholder="all sources"
              size={14}
              onChange={(e) => set({ source: (e.target as HTMLInputElement).value.trim() })}
            />
          </label>
        </form>
      )}
      {error && <div class="flash error" role="alert">{error}</div>}
      <div class="toggles" role="group" aria-label="Topics">
        {shown.map((t, i) => (
          <button
            type="button"
            class="toggle"
            aria-pressed={!hidden.has(t.topic)}
            onClick={() => toggle(t.topic, i)}
            title={`${t.total} articles; ${
              t.change.percent === null ? "new" : `${Math.round(t.change.percent)}%`
            } vs previous period`}
          >
            <span class={`swatch c${i % COLORS.length}`} />
            {t.topic}
            <span class="muted small">{t.total.toLocaleString("en-US")}</span>
          </button>
        ))}
      </div>
      {props.compact ? <div class="chart" ref={chartEl} /> : (
        <div class="split">
          <div>
            <div class="chart" ref={chartEl} />
            <p class="small muted">
              {data ? `${label(data.from, data.bucket)} to ${label(data.to, data.bucket)}, ` : ""}
              UTC {query.bucket}{" "}
              buckets. Ringed points are spikes: a bucket far above the topic's trailing median
              (robust z-score ≥ 3).
            </p>
            {spikeRows.length > 0 && (
              <>
                <h3>Biggest spikes</h3>
                <ol class="spike-list">
                  {spikeRows.map((s) => (
                    <li>
                      {s.topic}: {label(s.bucket, query.bucket)} — {s.count} articles
                      {s.baseline !== null ? ` (usual ≈ ${Math.round(s.baseline)})` : ""}, score
                      {" "}
                      {s.score.toFixed(1)}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </div>
          <div>
            <h3>Rising terms</h3>
            <p class="small muted">
              {data
                ? `${label(data.risingPeriod.from, data.bucket)} to ${
                  label(
                    new Date(Date.parse(data.risingPeriod.to) - 1).toISOString(),
                    data.bucket,
                  )
                } against the ${label(data.risingPeriod.baselineFrom, data.bucket)} to ${
                  label(
                    new Date(Date.parse(data.risingPeriod.from) - 1).toISOString(),
                    data.bucket,
                  )
                } baseline: `
                : ""}
              count now (baseline), ranked by Dunning's G²{" "}
              {"(paler: p < 0.01 only, not p < 0.001)"}; hover a term for its numbers.
            </p>
            {visible.slice(0, 8).map((t) => (
              <div>
                <strong class="small">{t.topic}</strong>
                {t.risingTerms.length
                  ? (
                    <ul class="terms" data-testid="rising-terms">
                      {t.risingTerms.map((r) => (
                        <li
                          key={r.term}
                          title={r.explanation}
                          class={r.p === 0.001 ? undefined : "weak"}
                        >
                          {r.term}{" "}
                          <span class="muted small">
                            {r.count} ({r.baselineCount})
                          </span>
                        </li>
                      ))}
                    </ul>
                  )
                  : <p class="small muted">none significantly above the baseline</p>}
              </div>
            ))}
          </div>
        </div>
      )}
      {loading && shown.length === 0 && (
        <p class="muted" data-testid="trends-loading">Loading trends…</p>
      )}
      {!loading && shown.length === 0 && !error && (
        <p class="muted">No articles in this range. Try a wider range or another source.</p>
      )}
    </div>
  );
}
