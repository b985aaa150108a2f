/** What the Stories pages show: developing stories with timelines, and one story. */
import type { Db } from "../../../../db/mod.ts";
import { storiesDays } from "../../../../db/story_reads.ts";
import { storyCorrections } from "../../../../db/story_corrections.ts";
import type { StorySort } from "../../../../db/story_reads.ts";
import { listStoryViews, storyDetail } from "../../../../services/story_views.ts";

/** Stories a page lists. */
export const STORIES_PER_PAGE = 20;
/** Articles a story page shows. */
export const STORY_PAGE_ARTICLES = 500;
const DAY = 86_400_000;

/** The period's days, oldest first (`YYYY-MM-DD`), at most `max` (the latest). */
export function daysOf(from: string, to: string, max = 60): string[] {
  const end = Date.parse(to);
  const start = Math.max(Date.parse(from), end - max * DAY);
  const days: string[] = [];
  for (let t = start - (start % DAY); t < end; t += DAY) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Developing stories (by default sorted by growth over the last day), each with its days. */
export async function storiesData(
  db: Db,
  options: { sort: StorySort; days: number; to?: string; minArticles: number },
) {
  const page = await listStoryViews(db, {
    to: options.to,
    windowMs: DAY,
    defaultPeriodMs: options.days * DAY,
    sort: options.sort,
    limit: STORIES_PER_PAGE,
    minArticles: options.minArticles,
  });
  const days = await storiesDays(db, page.items.map((s) => s.id), page);
  return {
    ...page,
    days: daysOf(page.from, page.to),
    items: page.items.map((s) => ({ ...s, timeline: days.get(s.id) ?? [] })),
  };
}

/** One story with its articles, days and corrections; null when there is none. */
export async function storyData(db: Db, id: number) {
  const story = await storyDetail(db, id, STORY_PAGE_ARTICLES);
  if (!story) return null;
  return { story, corrections: await storyCorrections(db, id, 20) };
}
