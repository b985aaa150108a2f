/** Review queue: counts by status, reason, label and reviewer; filters; bulk accept. */
import { pct } from "../../../pages/format.ts";
import { DateRangeFields } from "../../../pages/DateRangeFields.tsx";
import { Flash, Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { queueData } from "./load.ts";
import { QueueCounts, QueueProgress, ReviewerCounts } from "./QueueCounts.tsx";
import { TaxonomySwitch } from "../../../pages/TaxonomySwitch.tsx";

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
  /** The taxonomy whose items are shown (`topic` by default). */
  taxonomy?: string;
}

export function QueuePage(props: {
  ctx: PageContext;
  data: Data;
  params: QueueParams;
  statuses: readonly string[];
  reasons: readonly string[];
  flash: { ok?: string | null; error?: string | null };
}) {
  const { ctx, data, params } = props;
  const labels = data.counts.byPredictedLabel.map((l) => l.label);
  return (
    <Layout title="Queue" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Review queue">
        <TaxonomySwitch taxonomies={data.taxonomies} current={data.taxonomy} action="/queue" />
        <a
          class="button primary"
          href={data.taxonomy === "topic" ? "/review" : `/review?taxonomy=${data.taxonomy}`}
        >
          Review
        </a>
      </PageHead>
      <Flash {...props.flash} />
      <QueueProgress data={data} />
      <QueueCounts counts={data.counts} />
      <ReviewerCounts byReviewer={data.counts.byReviewer} />
      <section class="card">
        <h2>Items</h2>
        <QueueFilters
          p={params}
          statuses={props.statuses}
          reasons={props.reasons}
          labels={labels}
        />
        <QueueTable items={data.items} />
      </section>
      <BulkAcceptSection ctx={ctx} p={params} labels={labels} />
    </Layout>
  );
}

/** The filters of the item list, a GET form so a filtered queue has its own URL. */
function QueueFilters(
  props: {
    p: QueueParams;
    statuses: readonly string[];
    reasons: readonly string[];
    labels: string[];
  },
) {
  const { p } = props;
  return (
    <form class="filters" method="get" action="/queue">
      {p.taxonomy && <input type="hidden" name="taxonomy" value={p.taxonomy} />}
      <Select name="status" value={p.status} options={props.statuses} any="any status" />
      <Select name="reason" value={p.reason} options={props.reasons} any="any reason" />
      <Select name="label" value={p.label} options={props.labels} any="any label" />
      <SourceField value={p.source} />
      <MinScoreField value={p.minScore} />
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
  );
}

/** The first items matching the filters (the loader reads at most 50). */
function QueueTable(props: { items: Data["items"] }) {
  const { items } = props;
  return (
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
          {items.map((i) => <QueueRow key={i.id} i={i} />)}
        </tbody>
      </table>
      {items.length === 0 && <p class="muted">No items match.</p>}
      {items.length === 50 && <p class="small muted">Showing the first 50.</p>}
    </div>
  );
}

function QueueRow({ i }: { i: Data["items"][number] }) {
  return (
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
  );
}

/** Bulk accept, offered to admin keys only (the API refuses anyone else). */
function BulkAcceptSection(props: { ctx: PageContext; p: QueueParams; labels: string[] }) {
  const { ctx } = props;
  return (
    <section class="card">
      <h2>Bulk accept</h2>
      {!ctx.admin && <p class="small muted">Bulk accept needs an admin key.</p>}
      {ctx.admin && <BulkAcceptForm {...props} />}
    </section>
  );
}

/** The bulk accept filters; the next page confirms how many items match. */
function BulkAcceptForm(
  { ctx, p, labels }: { ctx: PageContext; p: QueueParams; labels: string[] },
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
        <MinScoreField value={p.minScore} />
        <SourceField value={p.source} />
        <DateRangeFields since={p.since} until={p.until} />
        {p.reason && <input type="hidden" name="reason" value={p.reason} />}
        {p.taxonomy && <input type="hidden" name="taxonomy" value={p.taxonomy} />}
        <button type="submit">Review bulk accept…</button>
      </form>
    </>
  );
}

function SourceField(props: { value?: string }) {
  return (
    <label class="field">
      Source
      <input name="source" value={props.value ?? ""} size={12} />
    </label>
  );
}

function MinScoreField(props: { value?: string }) {
  return (
    <label class="field">
      Min score
      <input name="minScore" type="number" min="0" max="1" step="0.05" value={props.value ?? ""} />
    </label>
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
