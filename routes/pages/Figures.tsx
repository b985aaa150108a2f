/** The console pages' small figures: bars, per-label score bars, big numbers, the heatmap. */
import type { ComponentChildren } from "preact";
import { pct } from "./format.ts";

/** A horizontal bar drawn in SVG, so it needs no inline style (CSP `style-src 'self'`). */
export function Bar(props: { value: number; max?: number; variant?: "top" | "chosen" }) {
  const max = props.max ?? 1;
  const pct = max > 0 ? Math.max(0, Math.min(100, (props.value / max) * 100)) : 0;
  return (
    <svg
      class={`bar-svg${props.variant ? " " + props.variant : ""}`}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
    >
      <rect class="track" width="100" height="10" rx="5" />
      <rect class="fill" width={pct.toFixed(2)} height="10" rx="5" />
    </svg>
  );
}

/** Per-label probabilities, highest first, as labelled bars. */
export function ScoreBars(props: { scores: Record<string, number>; chosen?: string | null }) {
  const entries = Object.entries(props.scores).sort((a, b) => b[1] - a[1]);
  return (
    <div class="bars">
      {entries.map(([label, p], i) => [
        <span key={`${label}-name`}>{label}</span>,
        <Bar
          key={`${label}-bar`}
          value={p}
          variant={label === props.chosen ? "chosen" : i === 0 ? "top" : undefined}
        />,
        <span key={`${label}-p`} class="num">{pct(p)}</span>,
      ])}
    </div>
  );
}

/** A big number with a caption. */
export function Stat(props: { label: string; value: ComponentChildren }) {
  return (
    <div class="stat">
      <div class="value">{props.value}</div>
      <div class="label">{props.label}</div>
    </div>
  );
}

/** A confusion matrix (`matrix[gold][predicted]`) as a heatmap, shaded by row share. */
export function Heatmap(props: { labels: string[]; matrix: number[][] }) {
  const { labels, matrix } = props;
  return (
    <div class="table-wrap">
      <table class="heatmap">
        <thead>
          <tr>
            <th class="row">gold ↓ / predicted →</th>
            {labels.map((l) => <th key={l}>{l}</th>)}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, g) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr>
                <th class="row">{labels[g] ?? g}</th>
                {row.map((n, p) => {
                  const share = total ? n / total : 0;
                  const shade = Math.min(9, Math.round(share * 9));
                  return (
                    <td
                      class={`h${shade}`}
                      title={`${labels[g]} → ${labels[p]}: ${n} (${pct(share)})`}
                    >
                      {n}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
