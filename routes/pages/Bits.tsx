/** Small presentational pieces shared by the pages: bars, figures, dates, the heatmap. */
import type { ComponentChildren } from "preact";

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

export function pct(p: number | null | undefined, digits = 0): string {
  return p === null || p === undefined || !Number.isFinite(p)
    ? "–"
    : `${(p * 100).toFixed(digits)}%`;
}

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US");
}

/** `2018-05-26 14:03` (UTC), compact and unambiguous. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace("T", " ");
}

export function day(iso: string | null | undefined): string {
  return iso ? when(iso).slice(0, 10) : "–";
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

/** The "published from … until" pair of date inputs of the filter forms (`since`, `until`). */
export function DateRangeFields(props: { since?: string; until?: string }) {
  return (
    <>
      <label class="field">
        Published from
        <input name="since" type="date" value={props.since ?? ""} />
      </label>
      <label class="field">
        until
        <input name="until" type="date" value={props.until ?? ""} />
      </label>
    </>
  );
}
