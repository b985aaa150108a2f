/** One toggle per topic, with its colour and total: the chart's legend. */
import type { LabelTrend } from "../types.ts";
import { COLORS } from "./query.ts";

export function TopicToggles(
  props: { shown: LabelTrend[]; hidden: Set<string>; toggle: (topic: string, i: number) => void },
) {
  const { shown, hidden, toggle } = props;
  return (
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
  );
}
