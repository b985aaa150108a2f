/** Article search: full text, source, language, publication date and a taxonomy's label. */
import { when } from "../../../pages/format.ts";
import { DateRangeFields } from "../../../pages/DateRangeFields.tsx";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { articlesData } from "./load.ts";

type Data = Awaited<ReturnType<typeof articlesData>>;

export interface ArticlesParams {
  q?: string;
  source?: string;
  language?: string;
  since?: string;
  until?: string;
  /** A label of the taxonomy shown (a topic, or e.g. a section). */
  label?: string;
  taxonomy?: string;
}

export function ArticlesPage(props: {
  ctx: PageContext;
  data: Data;
  params: ArticlesParams;
  error?: string | null;
}) {
  const { ctx, data, params: p } = props;
  const next = new URLSearchParams(
    Object.entries(p).filter(([, v]) => v) as Array<[string, string]>,
  );
  if (data.nextBeforeId !== null) next.set("before", String(data.nextBeforeId));
  return (
    <Layout title="Articles" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Articles" />
      <section class="card">
        <ArticleFilters p={p} taxonomies={data.taxonomies} taxonomy={data.taxonomy} />
      </section>
      {props.error && <div class="flash error" role="alert">{props.error}</div>}
      <section class="card">
        {data.items.length === 0
          ? <p class="muted">No articles match.</p>
          : (
            <ul class="article-list" data-testid="article-list">
              {data.items.map((a) => <ArticleItem key={a.id} a={a} />)}
            </ul>
          )}
        {data.nextBeforeId !== null && (
          <div class="pager">
            <a class="button" href={`/articles?${next}`}>Older →</a>
          </div>
        )}
      </section>
    </Layout>
  );
}

/** The search form, a GET so a search has its own URL. */
function ArticleFilters(
  { p, taxonomies, taxonomy }: { p: ArticlesParams; taxonomies: string[]; taxonomy: string },
) {
  return (
    <form class="filters" method="get" action="/articles" role="search">
      <label class="field">
        Search
        <input
          name="q"
          type="search"
          value={p.q ?? ""}
          placeholder='markets -crypto "exact phrase"'
          size={28}
        />
      </label>
      <label class="field">
        Source
        <input name="source" value={p.source ?? ""} size={12} />
      </label>
      <label class="field">
        Language
        <input name="language" value={p.language ?? ""} size={4} maxLength={16} />
      </label>
      <DateRangeFields since={p.since} until={p.until} />
      {taxonomies.length > 1 && (
        <label class="field">
          Taxonomy
          <select name="taxonomy" data-testid="taxonomy-switch">
            {taxonomies.map((t) => (
              <option key={t} value={t} selected={t === taxonomy}>{t}</option>
            ))}
          </select>
        </label>
      )}
      <label class="field">
        Label
        <input name="label" value={p.label ?? ""} size={12} placeholder={taxonomy} />
      </label>
      <button type="submit" class="primary">Search</button>
      <a href="/articles">Clear</a>
    </form>
  );
}

/** One search hit: title, source, date, language, topic and section. */
function ArticleItem({ a }: { a: Data["items"][number] }) {
  return (
    <li>
      <a href={`/articles/${a.id}`}>{a.title}</a>
      <div class="meta">
        <span>#{a.id}</span>
        <span>{a.source ?? "unknown source"}</span>
        <span>{when(a.publishedAt)}</span>
        {a.language && <span>{a.language}</span>}
        {a.topic && (
          <span
            class="badge"
            title={a.topicReviewed
              ? `reviewed; the model predicted ${a.predictedTopic ?? "nothing"}`
              : "the model's prediction"}
          >
            {a.topic}
            {a.topicReviewed
              ? " · reviewed"
              : a.topicScore !== null
              ? ` ${Math.round(a.topicScore * 100)}%`
              : ""}
          </span>
        )}
        {a.category && <span>section: {a.category}</span>}
      </div>
    </li>
  );
}
