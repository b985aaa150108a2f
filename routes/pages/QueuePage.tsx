/** Review queue: counts by status, reason, label and reviewer; filters; bulk accept. */
import { Bar, DateRangeFields, num, pct, Stat, when } from "./Bits.tsx";
import { Flash, Layout, type PageContext, PageHead } from "./Layout.tsx";
import type { queueData } from "./loaders.ts";

type Data = Awaited<ReturnType<typeof queueData>>;

/** The queue filters as they appear in the URL (strings, dates as YYYY-MM-DD). */
export interface QueueParams {
  status?: string;
  reason?: string;
  label?: string;
  source?: string;
  minScore?: string;
  since?: string;
  until?: string;
  order?: string;
}

const OPEN = ["queued", "claimed", "labelled"];

export function QueuePage(props: {
  ctx: PageContext;
  data: Data;
  params: QueueParams;
  statuses: readonly string[];
  reasons: readonly string[];
  flash: { ok?: string | null; error?: string | null };
}) {
  const { ctx, data, params: p } = props;
  const c = data.counts;
  const open = OPEN.reduce((n, s) => n + (c.byStatus[s as keyof typeof c.byStatus] ?? 0), 0);
  const finished = c.total - open;
  const labels = c.byPredictedLabel.map((l) => l.label);
  const bulkFields: Array<[keyof QueueParams, string | undefined]> = [
    ["label", p.label],
    ["minScore", p.minScore],
    ["source", p.source],
    ["since", p.since],
    ["until", p.until],
    ["reason", p.reason],
  ];
  return (
    <Layout title="Queue" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Review queue">
        <a class="button primary" href="/review">Review</a>
      </PageHead>
      <Flash {...props.flash} />
      <section class="card" data-testid="queue-progress">
        <div class="stats">
          <Stat label="queued items" value={num(c.total)} />
          <Stat label="open" value={<span data-testid="open-count">{num(open)}</span>} />
          <Stat
            label="finished"
            value={<span data-testid="finished-count">{num(finished)}</span>}
          />
          <Stat
            label="reviewed labels since the active model"
            value={num(data.learning.newReviewedLabels)}
          />
        </div>
        <p class="small muted">
          {pct(c.total ? finished / c.total : 0)} finished
        </p>
        <progress value={finished} max={Math.max(1, c.total)} aria-label="Share finished" />
      </section>
      <div class="grid">
        <section class="card">
          <h2>By status</h2>
          <CountBars
            rows={Object.entries(c.byStatus).map(([k, v]) => [k.replace("_", " "), v])}
            total={c.total}
            testid="by-status"
          />
        </section>
        <section class="card">
          <h2>By reason</h2>
          <CountBars
            rows={Object.entries(c.byReason).map(([k, v]) => [k.replace("_", " "), v ?? 0])}
            total={c.total}
          />
        </section>
        <section class="card">
          <h2>By predicted label</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>label</th>
                  <th class="num">open</th>
                  <th class="num">all</th>
                </tr>
              </thead>
              <tbody>
                {c.byPredictedLabel.map((l) => (
                  <tr>
                    <td>
                      <a href={`/queue?label=${encodeURIComponent(l.label)}`}>{l.label}</a>
                    </td>
                    <td class="num">{num(l.open)}</td>
                    <td class="num">{num(l.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      <section class="card">
        <h2>By reviewer</h2>
        {c.byReviewer.length === 0
          ? <p class="muted">No decisions yet.</p>
          : (
            <div class="table-wrap">
              <table data-testid="by-reviewer">
                <thead>
                  <tr>
                    <th>reviewer</th>
                    <th class="num">decisions</th>
                    <th class="num">accept</th>
                    <th class="num">relabel</th>
                    <th class="num">skip</th>
                    <th class="num">flag</th>
                    <th class="num">bulk</th>
                    <th class="num">undone</th>
                    <th class="num">matches outcome</th>
                    <th>last</th>
                  </tr>
                </thead>
                <tbody>
                  {c.byReviewer.map((r) => (
                    <tr>
                      <td>{r.reviewer}</td>
                      <td class="num">{num(r.decisions)}</td>
                      <td class="num">{num(r.accept)}</td>
                      <td class="num">{num(r.label)}</td>
                      <td class="num">{num(r.skip)}</td>
                      <td class="num">{num(r.flag)}</td>
                      <td class="num">{num(r.bulk)}</td>
                      <td class="num">{num(r.undone)}</td>
                      <td class="num">
                        {r.onFinished ? pct(r.matchingOutcome / r.onFinished) : "–"}
                      </td>
                      <td class="nowrap small">{when(r.lastDecisionAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="card">
        <h2>Items</h2>
        <form class="filters" method="get" action="/queue">
          <Select name="status" value={p.status} options={props.statuses} any="any status" />
          <Select name="reason" value={p.reason} options={props.reasons} any="any reason" />
          <Select name="label" value={p.label} options={labels} any="any label" />
          <label class="field">
            Source
            <input name="source" value={p.source ?? ""} size={12} />
          </label>
          <label class="field">
            Min score
            <input
              name="minScore"
              type="number"
              min="0"
              max="1"
              step="0.05"
              value={p.minScore ?? ""}
            />
          </label>
          <DateRangeFields since={p.since} until={p.until} />
          <Select
            name="order"
            value={p.order}
            options={["margin", "oldest", "newest"]}
            any="most informative"
          />
          <button type="submit">Filter</button>
          <a href="/queue">Clear</a>
        </form>
        <div class="table-wrap">
          <table data-testid="queue-items">
            <thead>
              <tr>
                <th>#</th>
                <th>article</th>
                <th>predicted</th>
                <th class="num">score</th>
                <th>why</th>
                <th>status</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr>
                  <td class="mono">{i.id}</td>
                  <td>
                    <a href={`/articles/${i.articleId}`}>{i.article.title}</a>
                    <div class="meta">
                      <span>{i.article.source ?? "–"}</span>
                      <span>{i.article.publishedAt.slice(0, 10)}</span>
                    </div>
                  </td>
                  <td>
                    {i.finalLabel ? `${i.predictedLabel} → ${i.finalLabel}` : i.predictedLabel}
                  </td>
                  <td class="num">{pct(i.score)}</td>
                  <td class="small">{i.reasons.join(", ")}</td>
                  <td class="small">
                    {i.status.replace("_", " ")}
                    {i.leaseHolder && i.status === "claimed" ? ` (${i.leaseHolder})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.items.length === 0 && <p class="muted">No items match.</p>}
          {data.items.length === 50 && <p class="small muted">Showing the first 50.</p>}
        </div>
      </section>
      <section class="card">
        <h2>Bulk accept</h2>
        {!ctx.admin && <p class="small muted">Bulk accept needs an admin key.</p>}
        {ctx.admin && <BulkAcceptForm ctx={ctx} p={p} labels={labels} bulkFields={bulkFields} />}
      </section>
    </Layout>
  );
}

/** The bulk accept filters; the next page confirms how many items match. */
function BulkAcceptForm(
  { ctx, p, labels, bulkFields }: {
    ctx: PageContext;
    p: QueueParams;
    labels: string[];
    bulkFields: Array<[keyof QueueParams, string | undefined]>;
  },
) {
  return (
    <>
      <p class="small muted">
        Accepts the predicted label on every open item matching the filters below (at least one
        filter; items others hold and items you decided are left alone). You confirm on the next
        page, after seeing how many items match.
      </p>
      <form class="filters" method="post" action="/queue/bulk-accept">
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <Select name="label" value={p.label} options={labels} any="any label" />
        <label class="field">
          Min score
          <input
            name="minScore"
            type="number"
            min="0"
            max="1"
            step="0.05"
            value={p.minScore ?? ""}
          />
        </label>
        <label class="field">
          Source
          <input name="source" value={p.source ?? ""} size={12} />
        </label>
        <DateRangeFields since={p.since} until={p.until} />
        {bulkFields.filter(([k, v]) => k === "reason" && v).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <button type="submit">Review bulk accept…</button>
      </form>
    </>
  );
}

function Select(props: {
  name: string;
  value?: string;
  options: readonly string[];
  any: string;
}) {
  return (
    <label class="field">
      {props.name}
      <select name={props.name}>
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>{o.replace("_", " ")}</option>
        ))}
      </select>
    </label>
  );
}

function CountBars(props: { rows: Array<[string, number]>; total: number; testid?: string }) {
  return (
    <div class="bars" data-testid={props.testid}>
      {props.rows.map(([k, v]) => [
        <span key={`${k}-name`}>{k}</span>,
        <Bar key={`${k}-bar`} value={v} max={props.total} />,
        <span key={`${k}-n`} class="num" data-status={k}>{num(v)}</span>,
      ])}
    </div>
  );
}
