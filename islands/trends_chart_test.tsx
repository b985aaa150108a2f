// The trends island as the server first renders it: rising terms with their counts, and the
// score's explanation in the title attribute the browser shows on hover.
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import TrendsChart from "./TrendsChart.tsx";
import type { TrendsResult } from "./types.ts";

const explanation = 'G² = 2·Σ O·ln(O/E) = 21.8: "puerto rico" 5 of 1,204 phrases now ' +
  "(41.5 per 10k) vs 0 of 9,876 in the baseline (0.0 per 10k), 82.0× as frequent";

const data: TrendsResult = {
  bucket: "month",
  from: "2022-01-01T00:00:00.000Z",
  to: "2022-10-01T00:00:00.000Z",
  risingPeriod: {
    baselineFrom: "2022-01-01T00:00:00.000Z",
    from: "2022-08-01T00:00:00.000Z",
    to: "2022-10-01T00:00:00.000Z",
  },
  dataRange: null,
  topics: [{
    topic: "World",
    total: 120,
    change: { current: 120, previous: 100, percent: 20, direction: "up" },
    series: [],
    spikes: [],
    risingTerms: [{
      term: "puerto rico",
      phrase: true,
      count: 5,
      total: 1204,
      baselineCount: 0,
      baselineTotal: 9876,
      rate: 41.5,
      baselineRate: 0,
      g2: 21.83,
      p: 0.001,
      ratio: 82,
      explanation,
    }, {
      term: "fiona",
      phrase: false,
      count: 3,
      total: 1204,
      baselineCount: 0,
      baselineTotal: 9876,
      rate: 24.9,
      baselineRate: 0,
      g2: 9.1,
      p: 0.01,
      ratio: 49,
      explanation: "G² = 9.1 (p < 0.01 above 6.6)",
    }],
  }, {
    topic: "Sports",
    total: 40,
    change: { current: 40, previous: 40, percent: 0, direction: "flat" },
    series: [],
    spikes: [],
    risingTerms: [],
  }],
};

Deno.test("TrendsChart lists rising terms with their counts and the score on hover", () => {
  const html = renderToString(
    <TrendsChart initial={data} query={{ bucket: "month", from: "", to: "", source: "" }} />,
  );
  assert.ok(html.includes('data-testid="rising-terms"'));
  assert.match(
    html,
    /<li\s+title="G² = 2·Σ O·ln\(O\/E\) = 21\.8: &quot;puerto rico&quot; 5 of 1,204/,
  );
  assert.match(html, /puerto rico <span class="muted small">5 \(0\)<\/span>/);
  assert.match(html, /<li\s+title="G² = 9\.1 \(p &lt; 0\.01 above 6\.6\)" class="weak">fiona/);
  assert.doesNotMatch(html, /class="weak">puerto rico/, "p < 0.001 is shown in full");
  assert.ok(html.includes("2022-08 to 2022-09 against the 2022-01 to 2022-07 baseline"));
  assert.ok(html.includes("none significantly above the baseline"), "Sports has none");
});
