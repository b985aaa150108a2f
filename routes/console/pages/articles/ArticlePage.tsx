/** One article: text, summary, predictions from every model, review items and history. */
import { ScoreBars } from "../../../pages/Figures.tsx";
import { pct, when } from "../../../pages/format.ts";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { articleData } from "./load.ts";

type Data = Awaited<ReturnType<typeof articleData>>;
type Article = Data["article"];

export function ArticlePage(props: { ctx: PageContext; data: Data }) {
  const { ctx, data } = props;
  const a = data.article;
  return (
    <Layout title={`Article ${a.id}`} ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title={`Article #${a.id}`}>
        <a href="/articles">← Articles</a>
      </PageHead>
      <div class="split">
        <section class="card">
          <h2 class="review-title" data-testid="article-title">{a.title}</h2>
          <ArticleMeta a={a} />
          {a.summary && (
            <div class="review">
              <div class="summary">
                <strong class="small">Summary ({a.summaryMethod ?? "extractive"})</strong>
                <div>{a.summary}</div>
              </div>
            </div>
          )}
          <div class="body-text" data-testid="article-body">
            {a.body || <span class="muted">(no body)</span>}
          </div>
        </section>
        <aside>
          <StoryArticles articleId={a.id} story={data.story} />
          <SimilarArticles similar={data.similar} />
          <Predictions predictions={data.predictions} />
          <section class="card">
            <h2>Review</h2>
            <ReviewItems reviews={data.reviews} />
            <Decisions decisions={data.decisions} />
            <AuditLog history={data.history} />
          </section>
        </aside>
      </div>
    </Layout>
  );
}

/** Source, dates, language, topic (reviewed or predicted), section and links. */
function ArticleMeta({ a }: { a: Article }) {
  return (
    <div class="meta">
      <span>{a.source ?? "unknown source"}</span>
      <span>published {when(a.publishedAt)}</span>
      <span>ingested {when(a.ingestedAt)}</span>
      {a.language && (
        <span>
          {a.language}
          {a.languageConfidence !== null ? ` (${pct(a.languageConfidence)})` : ""}
        </span>
      )}
      {a.topic && (
        <span class="badge" data-testid="article-topic">
          {a.topic}
          {a.topicReviewed
            ? ` · reviewed (model: ${a.predictedTopic ?? "none"})`
            : a.topicScore !== null
            ? ` ${pct(a.topicScore)}`
            : ""}
        </span>
      )}
      {a.category && <span>section: {a.category}</span>}
      {a.externalId && <span>id: {a.externalId}</span>}
      {a.url && /^https?:\/\//.test(a.url) && (
        <a href={a.url} rel="noopener noreferrer" target="_blank">source ↗</a>
      )}
    </div>
  );
}

/** The other articles of the article's story (same event or near duplicates). */
function StoryArticles(props: { articleId: number; story: Data["story"] }) {
  const { story } = props;
  if (!story) return null;
  const others = story.items.filter((i) => i.id !== props.articleId);
  return (
    <section class="card" data-testid="story">
      <h2>Story</h2>
      {others.length === 0 ? <p class="muted small">No other article tells this story.</p> : (
        <>
          <p class="small muted">
            {story.articles} articles, {when(story.firstSeen)} to {when(story.lastSeen)}
            {story.sources.length ? ` · ${story.sources.join(", ")}` : ""}
          </p>
          <ul class="story-articles">
            {others.map((o) => (
              <li key={o.id}>
                <a href={`/articles/${o.id}`}>{o.title}</a>{" "}
                <span class="muted small">
                  {o.source ?? "unknown source"}, {when(o.publishedAt)}
                </span>
              </li>
            ))}
          </ul>
          {story.articles > story.items.length && (
            <p class="small muted">and {story.articles - story.items.length} more</p>
          )}
        </>
      )}
    </section>
  );
}

/** The nearest stored articles by word vectors and terms (none without a stored vector). */
function SimilarArticles({ similar }: { similar: Data["similar"] }) {
  if (similar === null) return null;
  return (
    <section class="card" data-testid="similar">
      <h2>Similar articles</h2>
      {similar.length === 0
        ? <p class="muted small">None within a week of it.</p>
        : (
          <ul class="story-articles">
            {similar.map((s) => (
              <li key={s.id}>
                <a href={`/articles/${s.id}`}>{s.title}</a>{" "}
                <span class="muted small">
                  {s.source ?? "unknown source"}, {when(s.publishedAt)}
                  {s.topic ? ` · ${s.topic}` : ""} · {pct(s.score)}
                </span>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

/** Every model's prediction for the article (each taxonomy's), with its per-label scores. */
function Predictions({ predictions }: { predictions: Data["predictions"] }) {
  return (
    <section class="card">
      <h2>Predictions</h2>
      {predictions.length === 0 && <p class="muted">No model has classified it.</p>}
      {predictions.map((p) => (
        <div>
          <p class="small" data-testid={`prediction-${p.taxonomy}`}>
            <span class="badge">{p.taxonomy}</span> <strong>{p.label}</strong> {pct(p.score)}{" "}
            <span class="muted mono">{p.modelVersion}</span>
          </p>
          <ScoreBars scores={p.scores} />
          <hr />
        </div>
      ))}
    </section>
  );
}

function ReviewItems({ reviews }: { reviews: Data["reviews"] }) {
  return (
    <>
      {reviews.length === 0 && <p class="muted">Never queued for review.</p>}
      {reviews.map((r) => (
        <p class="small">
          Item #{r.id}: <strong>{r.status.replace("_", " ")}</strong>
          {r.finalLabel && (
            <>
              , label <strong>{r.finalLabel}</strong>
            </>
          )}
          {r.finalFlag && <>, flagged {r.finalFlag.replace("_", " ")}</>} · queued for{" "}
          {r.reasons.join(", ")}
        </p>
      ))}
    </>
  );
}

function Decisions({ decisions }: { decisions: Data["decisions"] }) {
  if (decisions.length === 0) return null;
  return (
    <>
      <h3>Decisions</h3>
      <ul class="spike-list">
        {decisions.map((d) => (
          <li class={d.retractedAt ? "muted" : ""}>
            {d.reviewer}: {d.action}
            {d.label ? ` ${d.label}` : ""}
            {d.flagReason ? ` (${d.flagReason.replace("_", " ")})` : ""}
            {d.bulk ? " [bulk]" : ""} · {when(d.createdAt)}
            {d.retractedAt ? " · undone" : ""}
          </li>
        ))}
      </ul>
    </>
  );
}

function AuditLog({ history }: { history: Data["history"] }) {
  if (history.length === 0) return null;
  return (
    <>
      <h3>Audit log</h3>
      <ul class="spike-list" data-testid="history">
        {history.map((h) => (
          <li>
            {when(h.at)} · {h.actor} · {h.event.replace("_", " ")}
            {h.action ? ` ${h.action}` : ""}
            {h.label ? ` ${h.label}` : ""}
            {h.note ? ` — ${h.note}` : ""}
          </li>
        ))}
      </ul>
    </>
  );
}
