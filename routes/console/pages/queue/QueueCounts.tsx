/** The queue page's figures: progress, counts by status, reason and label, and by reviewer. */
import { Bar, Stat } from "../../../pages/Figures.tsx";
import { num, pct, when } from "../../../pages/format.ts";
import type { queueData } from "./load.ts";

type Data = Awaited<ReturnType<typeof queueData>>;
type Counts = Data["counts"];

const OPEN = ["queued", "claimed", "labelled"];

/** How many queued items are finished, with the reviewed labels since the active model. */
export function QueueProgress(props: { data: Data }) {
  const c = props.data.counts;
  const open = OPEN.reduce((n, s) => n + (c.byStatus[s as keyof typeof c.byStatus] ?? 0), 0);
  const finished = c.total - open;
  return (
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
          value={num(props.data.learning.newReviewedLabels)}
        />
      </div>
      <p class="small muted">
        {pct(c.total ? finished / c.total : 0)} finished
      </p>
      <progress value={finished} max={Math.max(1, c.total)} aria-label="Share finished" />
    </section>
  );
}

/** Counts by status, by reason and by predicted label, side by side. */
export function QueueCounts(props: { counts: Counts }) {
  const c = props.counts;
  return (
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
        <LabelTable byPredictedLabel={c.byPredictedLabel} />
      </section>
    </div>
  );
}

function LabelTable(props: { byPredictedLabel: Counts["byPredictedLabel"] }) {
  return (
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
          {props.byPredictedLabel.map((l) => (
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
  );
}

/** Each reviewer's decisions by action, and how often they match the item's outcome. */
export function ReviewerCounts(props: { byReviewer: Counts["byReviewer"] }) {
  return (
    <section class="card">
      <h2>By reviewer</h2>
      {props.byReviewer.length === 0
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
                {props.byReviewer.map((r) => <ReviewerRow key={r.reviewer} r={r} />)}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function ReviewerRow({ r }: { r: Counts["byReviewer"][number] }) {
  return (
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
