/**
 * Topic trends: a uPlot time series per topic with spikes ringed, topic
 * toggles, bucket and date-range choice, and rising terms beside the chart.
 * `compact` is the dashboard's small version (no controls, no terms).
 * Data comes from `GET /v1/trends`; the first load arrives in the props.
 */
import { useRef, useState } from "preact/hooks";
import type { LabelTrend } from "./types.ts";
import { label, type TrendsChartProps, type TrendsQueryProps } from "./trends_chart/query.ts";
import { useTrends } from "./trends_chart/use_trends.ts";
import { useTrendsPlot } from "./trends_chart/plot.ts";
import { TrendsControls } from "./trends_chart/TrendsControls.tsx";
import { TopicToggles } from "./trends_chart/TopicToggles.tsx";
import { SpikeList } from "./trends_chart/SpikeList.tsx";
import { RisingTerms } from "./trends_chart/RisingTerms.tsx";

export type { TrendsChartProps, TrendsQueryProps };

export default function TrendsChart(props: TrendsChartProps) {
  const { data, query, setQuery, error, loading } = useTrends(props);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const chartEl = useRef<HTMLDivElement>(null);

  const topics: LabelTrend[] = data?.topics ?? [];
  const shown = props.compact ? topics.slice(0, 6) : topics;
  const plot = useTrendsPlot(chartEl, data, shown, hidden, props.compact);

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
      {!props.compact && <TrendsControls query={query} set={set} />}
      {error && <div class="flash error" role="alert">{error}</div>}
      <TopicToggles shown={shown} hidden={hidden} toggle={toggle} />
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
            <SpikeList spikeRows={spikeRows} bucket={query.bucket} />
          </div>
          <div>
            <RisingTerms data={data} visible={visible} />
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
