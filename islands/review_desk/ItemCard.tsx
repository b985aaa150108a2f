/** The item under review: why it was queued, the article, and the decision made on it here. */
import { Key } from "./Key.tsx";
import type { Entry } from "./state.ts";
import { describe, describeLabelIssue, REASON_TEXT } from "./text.ts";

export function ItemCard(props: { entry: Entry }) {
  const { item, decision } = props.entry;
  const a = item.article;
  return (
    <article data-testid="review-item" data-item-id={item.id}>
      {decision && (
        <div class="decided" data-testid="decided">
          You {describe(decision)}
          {props.entry.pending ? " (saving…)" : ""} — <Key k="U" /> undoes your last decision.
        </div>
      )}
      <div class="meta">
        <span>
          Why queued:{" "}
          {item.reasons.map((r) => (
            <span class={`badge${r === "audit" ? "" : " warn"}`}>{REASON_TEXT[r] ?? r}</span>
          ))}
        </span>
        {item.shadowLabel && <span>shadow says {item.shadowLabel}</span>}
        {item.labelIssue && (
          <span data-testid="label-issue" title="score: how likely the given label is right">
            {describeLabelIssue(item.labelIssue)}
          </span>
        )}
      </div>
      <h2 class="review-title" data-testid="title">{a.title}</h2>
      <div class="meta">
        <span>{a.source ?? "unknown source"}</span>
        <span>{a.publishedAt.slice(0, 10)}</span>
        {a.language && <span>{a.language}</span>}
        <a href={`/articles/${a.id}`} target="_blank" rel="noopener">article #{a.id}</a>
        {a.url && /^https?:\/\//.test(a.url) && (
          <a href={a.url} target="_blank" rel="noopener noreferrer">source ↗</a>
        )}
      </div>
      {a.summary && (
        <div class="summary">
          <strong class="small">Summary</strong>
          <div>{a.summary}</div>
        </div>
      )}
      <div class="body-text">{a.body || <span class="muted">(no body)</span>}</div>
    </article>
  );
}
