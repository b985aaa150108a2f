/**
 * Training runs: every recorded run (status, start, duration, data, out-of-fold
 * accuracy and macro-F1, the model or the error), and two chosen ones (A and B)
 * side by side — metrics, per-class F1 and the confusion matrices with B − A, the
 * difference drawn as a colored grid, and the parameters that differ. Choosing is
 * a plain GET form, so the page needs no script.
 */
import type { RunComparison, RunSummary } from "../../../../services/training_runs.ts";
import { Heatmap } from "../../../pages/Figures.tsx";
import { num, pct, when } from "../../../pages/format.ts";
import { Flash, Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { RunsPageData } from "./load.ts";

/** A duration: `850 ms` under a second, else `12.5 s`. */
const seconds = (ms: number | null) =>
  ms === null ? "–" : Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;

const STATUS_BADGE: Record<RunSummary["status"], string> = {
  succeeded: "badge ok",
  failed: "badge bad",
  running: "badge warn",
};

export function RunsPage(props: {
  ctx: PageContext;
  data: RunsPageData;
  pick: { a?: number; b?: number };
}) {
  const { ctx, data } = props;
  const c = data.comparison;
  return (
    <Layout title="Training runs" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Training runs" />
      <Flash error={data.problem} />
      {c && <Comparison c={c} />}
      <RunsTable runs={data.runs} pick={props.pick} />
    </Layout>
  );
}

/** The runs, with an A and a B radio button on each to choose the two to compare. */
function RunsTable(props: { runs: RunSummary[]; pick: { a?: number; b?: number } }) {
  if (props.runs.length === 0) {
    return (
      <section class="card">
        <p class="muted">
          No training runs yet. Train with <code>newsintel train</code>.
        </p>
      </section>
    );
  }
  return (
    <section class="card">
      <form method="get" action="/runs">
        <div class="page-head">
          <h2>Runs</h2>
          <div class="actions">
            <button type="submit" data-testid="compare">Compare A and B</button>
          </div>
        </div>
        <div class="table-wrap">
          <table data-testid="runs">
            <thead>
              <tr>
                <th title="First run (A)">A</th>
                <th title="Second run (B)">B</th>
                <th>run</th>
                <th>status</th>
                <th>started</th>
                <th class="num">duration</th>
                <th class="num">rows</th>
                <th class="num">accuracy</th>
                <th class="num">macro-F1</th>
                <th>model or error</th>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <input
                      type="radio"
                      name="a"
                      value={r.id}
                      checked={props.pick.a === r.id}
                      aria-label={`Run ${r.id} as A`}
                    />
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="b"
                      value={r.id}
                      checked={props.pick.b === r.id}
                      aria-label={`Run ${r.id} as B`}
                    />
                  </td>
                  <td class="nowrap">
                    #{r.id} <span class="small muted">{r.name ?? ""}</span>
                  </td>
                  <td>
                    <span class={STATUS_BADGE[r.status]}>{r.status}</span>
                  </td>
                  <td class="nowrap small">{when(r.startedAt)}</td>
                  <td class="num">{seconds(r.durationMs)}</td>
                  <td class="num">{num(r.dataSize)}</td>
                  <td class="num">{pct(r.accuracy, 1)}</td>
                  <td class="num">{pct(r.macroF1, 1)}</td>
                  <td class="small">
                    {r.modelVersion
                      ? <span class="mono">{r.modelVersion}</span>
                      : r.error
                      ? <span class="run-error" title={r.error}>{r.error.slice(0, 160)}</span>
                      : "–"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </form>
    </section>
  );
}

/** Whether a larger value of a metric is better (true), worse (false) or neither (null). */
const BETTER: Record<string, boolean | null> = {
  accuracy: true,
  macroF1: true,
  eceBefore: false,
  eceAfter: false,
  nllBefore: false,
  nllAfter: false,
  durationMs: false,
  rows: null,
  folds: null,
};

const LABEL: Record<string, string> = {
  accuracy: "accuracy",
  macroF1: "macro-F1",
  eceBefore: "ECE before calibration",
  eceAfter: "ECE after calibration",
  nllBefore: "NLL before calibration",
  nllAfter: "NLL after calibration",
  rows: "training rows",
  folds: "folds",
  durationMs: "duration",
};

function formatMetric(metric: string, x: number | null): string {
  if (x === null) return "–";
  if (metric === "accuracy" || metric === "macroF1") return pct(x, 2);
  if (metric === "durationMs") return seconds(x);
  return Number.isInteger(x) ? num(x) : x.toFixed(4);
}

function signed(text: string, x: number): string {
  return x > 0 ? `+${text}` : text;
}

function formatDiff(metric: string, d: number | null): string {
  if (d === null) return "–";
  if (metric === "accuracy" || metric === "macroF1") return `${signed((100 * d).toFixed(2), d)} pt`;
  if (metric === "durationMs") return signed(seconds(d), d);
  return signed(Number.isInteger(d) ? String(d) : d.toFixed(4), d);
}

/** `up` when the change is an improvement, `down` when it is worse, nothing otherwise. */
function trend(d: number | null, better: boolean | null): string {
  if (d === null || d === 0 || better === null) return "delta";
  return (d > 0) === better ? "delta up" : "delta down";
}

function Comparison({ c }: { c: RunComparison }) {
  const A = `#${c.a.id}`;
  const B = `#${c.b.id}`;
  return (
    <section class="card compare" data-testid="comparison">
      <h2>
        Run {A} <span class="muted">({c.a.status})</span> against {B}{" "}
        <span class="muted">({c.b.status})</span>
      </h2>
      <p class="small muted">Every difference is {B} − {A}.</p>
      <div class="grid">
        <div>
          <h3>Metrics</h3>
          <table data-testid="compare-metrics">
            <thead>
              <tr>
                <th>metric</th>
                <th class="num">{A}</th>
                <th class="num">{B}</th>
                <th class="num">Δ</th>
              </tr>
            </thead>
            <tbody>
              {c.metrics.map((m) => (
                <tr data-metric={m.metric}>
                  <td>{LABEL[m.metric] ?? m.metric}</td>
                  <td class="num">{formatMetric(m.metric, m.a)}</td>
                  <td class="num">{formatMetric(m.metric, m.b)}</td>
                  <td class={`num ${trend(m.diff, BETTER[m.metric] ?? null)}`}>
                    {formatDiff(m.metric, m.diff)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h3>Per-class F1</h3>
          {c.perClassF1.length === 0
            ? <p class="muted">Neither run has out-of-fold metrics.</p>
            : (
              <table data-testid="compare-f1">
                <thead>
                  <tr>
                    <th>label</th>
                    <th class="num">{A}</th>
                    <th class="num">{B}</th>
                    <th class="num">Δ</th>
                  </tr>
                </thead>
                <tbody>
                  {c.perClassF1.map((r) => (
                    <tr data-label={r.label}>
                      <td>{r.label}</td>
                      <td class="num">{pct(r.a, 1)}</td>
                      <td class="num">{pct(r.b, 1)}</td>
                      <td class={`num ${trend(r.diff, true)}`}>
                        {formatDiff("macroF1", r.diff)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </div>
      </div>
      <ConfusionSection c={c} />
      <h3>Parameters that differ</h3>
      {c.parameters.length === 0
        ? <p class="muted">None: both runs were asked for the same training.</p>
        : (
          <table data-testid="compare-params">
            <thead>
              <tr>
                <th>parameter</th>
                <th>{A}</th>
                <th>{B}</th>
              </tr>
            </thead>
            <tbody>
              {c.parameters.map((p) => (
                <tr data-param={p.name}>
                  <td>{p.name}</td>
                  <td class="mono">{JSON.stringify(p.a)}</td>
                  <td class="mono">{JSON.stringify(p.b)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}

function ConfusionSection({ c }: { c: RunComparison }) {
  const { labels, a, b, diff } = c.confusion;
  if (!diff || !a || !b) {
    return (
      <p class="muted">
        No confusion difference: a run without out-of-fold metrics (failed, or trained with{" "}
        <code>--folds 0</code>).
      </p>
    );
  }
  return (
    <>
      <h3>Confusion difference (#{c.b.id} − #{c.a.id})</h3>
      <p class="small muted">
        Rows gold, columns predicted. Green: more right answers on the diagonal, or fewer mistakes
        off it; red: the reverse.
      </p>
      <DiffGrid labels={labels} diff={diff} />
      <div class="grid">
        <div>
          <h3>#{c.a.id}</h3>
          <Heatmap labels={labels} matrix={a} />
        </div>
        <div>
          <h3>#{c.b.id}</h3>
          <Heatmap labels={labels} matrix={b} />
        </div>
      </div>
    </>
  );
}

/**
 * The difference of two confusion matrices as a colored grid: a cell's color says
 * whether the change is good (more on the diagonal, fewer off it) or bad, its shade
 * how large the change is against the largest one.
 */
export function DiffGrid(props: { labels: string[]; diff: number[][] }) {
  const { labels, diff } = props;
  const largest = Math.max(1, ...diff.flat().map(Math.abs));
  return (
    <div class="table-wrap">
      <table class="heatmap diff-grid" data-testid="confusion-diff">
        <thead>
          <tr>
            <th class="row">gold ↓ / predicted →</th>
            {labels.map((l) => <th key={l}>{l}</th>)}
          </tr>
        </thead>
        <tbody>
          {diff.map((row, g) => (
            <tr>
              <th class="row">{labels[g]}</th>
              {row.map((d, p) => {
                const shade = Math.max(1, Math.round((Math.abs(d) / largest) * 4));
                const good = (d > 0) === (g === p);
                const cls = d === 0 ? "d0" : `${good ? "dg" : "db"}${shade}`;
                return (
                  <td class={cls} title={`${labels[g]} → ${labels[p]}: ${d > 0 ? "+" : ""}${d}`}>
                    {d > 0 ? `+${d}` : d}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
