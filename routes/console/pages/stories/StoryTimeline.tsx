/** A story's articles per day as small bars (server-rendered SVG, no script). */
export function StoryTimeline(props: {
  days: string[];
  counts: Array<{ day: string; articles: number }>;
  height?: number;
  /** Pixels per day (default 6). */
  barWidth?: number;
  testId?: string;
}) {
  const height = props.height ?? 28;
  const bw = props.barWidth ?? 6;
  const byDay = new Map(props.counts.map((c) => [c.day, c.articles]));
  const max = Math.max(1, ...props.counts.map((c) => c.articles));
  const width = Math.max(1, props.days.length) * bw;
  const label = props.counts.map((c) => `${c.day}: ${c.articles}`).join(", ");
  return (
    <svg
      class="story-timeline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label || "no articles in the period"}
      data-testid={props.testId}
    >
      {props.days.map((d, i) => {
        const n = byDay.get(d) ?? 0;
        const h = n ? Math.max(2, Math.round((n / max) * height)) : 0;
        return n
          ? (
            <rect x={i * bw} y={height - h} width={bw - 1} height={h} fill="currentColor">
              <title>{`${d}: ${n}`}</title>
            </rect>
          )
          : null;
      })}
    </svg>
  );
}
