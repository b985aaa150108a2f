/** Developing stories: ranked by growth (or size, recency), each with headline, summary, sources. */
import { day, num } from "../../../pages/format.ts";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { storiesData } from "./load.ts";
import { StoryTimeline } from "./StoryTimeline.tsx";

type Data = Awaited<ReturnType<typeof storiesData>>;

const SORTS: Array<[string, string]> = [
  ["growth", "Developing"],
  ["size", "Largest"],
  ["recent", "Latest"],
];

export function StoriesPage(props: { ctx: PageContext; data: Data; sort: string; days: number }) {
  const { ctx, data, sort } = props;
  return (
    <Layout title="Stories" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Stories">
        {SORTS.map(([value, label]) => (
          <a
            href={`/stories?sort=${value}&days=${props.days}`}
            aria-current={value === sort ? "page" : undefined}
          >
            {label}
          </a>
        ))}
      </PageHead>
      <p class="small muted">
        {day(data.from)} to {day(data.to)}{" "}
        · articles grouped by the event they report; growth compares the last day with the day
        before.
      </p>
      {data.items.length === 0
        ? (
          <p class="muted" data-testid="no-stories">
            No story of two or more articles in this period.
          </p>
        )
        : (
          <ol class="story-list" data-testid="stories">
            {data.items.map((s) => (
              <li class="card" data-testid="story-item">
                <div class="page-head">
                  <h2>
                    <a href={`/stories/${s.id}`} data-testid="story-link">{s.headline}</a>
                  </h2>
                  <StoryTimeline days={data.days} counts={s.timeline} />
                </div>
                {s.summary && <p class="summary">{s.summary}</p>}
                <div class="meta small">
                  <span data-testid="story-size">{num(s.articles)} articles</span>
                  <span>{num(s.sourceCount)} sources</span>
                  <span>{day(s.firstSeen)} – {day(s.lastSeen)}</span>
                  <span>
                    last day {num(s.growth.recent)} (day before {num(s.growth.previous)})
                  </span>
                  {s.topic && <span class="badge">{s.topic}</span>}
                </div>
                {s.sources.length > 0 && <p class="small muted">{s.sources.join(", ")}</p>}
              </li>
            ))}
          </ol>
        )}
    </Layout>
  );
}
