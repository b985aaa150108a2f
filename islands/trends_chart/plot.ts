/** The trends island's chart: uPlot, one series per topic, each spike ringed. */
import { type RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { LabelTrend, TrendsResult } from "../types.ts";
import { COLORS } from "./query.ts";

/** uPlot's options for `shown` (the `hidden` topics off), `xs`/`ys` the plotted values. */
export function chartOptions(
  shown: LabelTrend[],
  hidden: Set<string>,
  plotted: { xs: number[]; ys: number[][]; width: number; height: number; compact?: boolean },
): uPlot.Options {
  const { xs, ys, height } = plotted;
  const spikes = shown.map((t) => t.series.map((p, i) => (p.spike ? i : -1)).filter((i) => i >= 0));
  return {
    width: plotted.width,
    height,
    // The topic toggles are the legend; uPlot's own would repeat them.
    legend: { show: false },
    cursor: { drag: { x: !plotted.compact, y: false } },
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
}

/**
 * Builds the chart in `chartEl` whenever the data changes, resizes it with its box, and
 * returns the plot (for toggling series without a rebuild).
 */
export function useTrendsPlot(
  chartEl: RefObject<HTMLDivElement>,
  data: TrendsResult | null,
  shown: LabelTrend[],
  hidden: Set<string>,
  compact: boolean | undefined,
): RefObject<uPlot | null> {
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = chartEl.current;
    plot.current?.destroy();
    plot.current = null;
    if (!el || !data || shown.length === 0) return;
    const xs = (shown[0]?.series ?? []).map((p) => Date.parse(p.bucket) / 1000);
    const ys = shown.map((t) => t.series.map((p) => p.count));
    const height = compact ? 170 : 340;
    const width = Math.max(240, el.clientWidth);
    const opts = chartOptions(shown, hidden, { xs, ys, width, height, compact });
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
  }, [data, compact]);
  return plot;
}
