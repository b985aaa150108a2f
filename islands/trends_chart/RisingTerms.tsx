/** Rising words and phrases per visible topic, with counts and the G² explanation on hover. */
import type { LabelTrend, TrendsResult } from "../types.ts";
import { label } from "./query.ts";

export function RisingTerms(props: { data: TrendsResult | null; visible: LabelTrend[] }) {
  const { data, visible } = props;
  return (
    <>
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
    </>
  );
}
