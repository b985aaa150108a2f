/**
 * One story: its timeline, summary and every article (source, time), near copies folded
 * under what they copy, and the reviewer's corrections (move, split, merge) as forms.
 */
import { day, num, when } from "../../../pages/format.ts";
import { Flash, Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import { daysOf, type storyData } from "./load.ts";
import { StoryTimeline } from "./StoryTimeline.tsx";

type Data = NonNullable<Awaited<ReturnType<typeof storyData>>>;
type Article = Data["story"]["items"][number];

const DAY = 86_400_000;

export function StoryPage(props: { ctx: PageContext; data: Data; flash?: string | null }) {
  const { ctx, data } = props;
  const s = data.story;
  const copyOf = new Map<number, Article[]>();
  for (const a of s.items) {
    if (a.duplicateOf !== null && s.items.some((o) => o.id === a.duplicateOf)) {
      copyOf.set(a.duplicateOf, [...(copyOf.get(a.duplicateOf) ?? []), a]);
    }
  }
  const shown = s.items.filter((a) => !(a.duplicateOf !== null && copyOf.has(a.duplicateOf)));
  const days = daysOf(s.firstSeen, new Date(Date.parse(s.lastSeen) + DAY).toISOString(), 120);
  return (
    <Layout title={`Story ${s.id}`} ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title={`Story #${s.id}`}>
        <a href="/stories">← Stories</a>
      </PageHead>
      <Flash ok={props.flash} />
      <div class="split">
        <section class="card">
          <h2 class="review-title" data-testid="story-headline">{s.headline}</h2>
          <div class="meta">
            <span data-testid="story-articles">{num(s.articles)} articles</span>
            <span>{num(s.sourceCount)} sources</span>
            <span>{day(s.firstSeen)} – {day(s.lastSeen)}</span>
            {s.topic && <span class="badge">{s.topic}</span>}
          </div>
          <StoryTimeline
            days={days}
            counts={s.days}
            height={60}
            barWidth={Math.max(4, Math.min(24, Math.floor(600 / days.length)))}
            testId="story-timeline"
          />
          {s.summary && (
            <div class="summary">
              <strong class="small">Summary</strong>
              <div data-testid="story-summary">{s.summary}</div>
            </div>
          )}
          <h3>Articles</h3>
          <form method="post" action={`/stories/${s.id}/split`} id="split-form">
            <input type="hidden" name="_csrf" value={ctx.csrf} />
          </form>
          <ul class="story-articles" data-testid="story-article-list">
            {shown.map((a) => (
              <ArticleRow a={a} copies={copyOf.get(a.id) ?? []} storyId={s.id} csrf={ctx.csrf} />
            ))}
          </ul>
          <button type="submit" form="split-form" data-testid="split">
            Split the ticked articles into a new story
          </button>
        </section>
        <aside>
          <section class="card">
            <h2>Merge</h2>
            <form method="post" action={`/stories/${s.id}/merge`} class="stack">
              <input type="hidden" name="_csrf" value={ctx.csrf} />
              <label>
                Story # to merge into this one{" "}
                <input name="from" inputMode="numeric" pattern="[0-9]{1,15}" required size={8} />
              </label>
              <button type="submit">Merge</button>
            </form>
          </section>
          <Corrections corrections={data.corrections} />
        </aside>
      </div>
    </Layout>
  );
}

function ArticleRow(props: { a: Article; copies: Article[]; storyId: number; csrf: string }) {
  const { a, copies, storyId } = props;
  return (
    <li data-testid="story-article" data-article={a.id}>
      <label class="small">
        <input
          type="checkbox"
          name={`a${a.id}`}
          value="on"
          form="split-form"
          aria-label={`Tick article ${a.id}`}
        />
        {" "}
      </label>
      <a href={`/articles/${a.id}`}>{a.title}</a>{" "}
      <span class="small muted">
        {a.source ?? "unknown source"} · {when(a.publishedAt)}
        {a.pinned ? " · placed by a reviewer" : ""}
      </span>
      <form method="post" action={`/stories/${storyId}/move`} class="inline">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="articles" value={a.id} />
        <input
          name="into"
          inputMode="numeric"
          pattern="[0-9]{1,15}"
          required
          size={6}
          placeholder="story #"
          aria-label={`Move article ${a.id} to story`}
        />
        <button type="submit" data-testid="move">Move</button>
      </form>
      {copies.length > 0 && (
        <details>
          <summary class="small">{copies.length} near copies</summary>
          <ul>
            {copies.map((c) => (
              <li>
                <a href={`/articles/${c.id}`}>{c.title}</a>{" "}
                <span class="small muted">
                  {c.source ?? "unknown source"} · {when(c.publishedAt)}
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function Corrections({ corrections }: { corrections: Data["corrections"] }) {
  if (corrections.length === 0) return null;
  return (
    <section class="card">
      <h2>Corrections</h2>
      <ul class="spike-list" data-testid="corrections">
        {corrections.map((c) => (
          <li class="small">
            {when(c.at)} · {c.actor} · {c.action} {c.articles.length} article(s) from #{c.storyId}
            {c.intoStory !== null ? ` into #${c.intoStory}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
