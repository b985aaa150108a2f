/**
 * Stories as readers see them: each listed story with a headline (the title of its most
 * central article), an extractive summary over several of its articles (near copies left
 * out, repeated sentences across outlets dropped by the summarizer), its sources and growth;
 * one story with its articles in time order, near copies folded under what they copy, and
 * its articles per day.
 */
import type { Queryable } from "../db/mod.ts";
import {
  latestStoryActivity,
  listStoryRows,
  type StoryAfter,
  type StoryArticleRow,
  storyArticles,
  storyDays,
  storyLeads,
  type StoryRow,
  storyRow,
  type StorySort,
  storySources,
} from "../db/story_reads.ts";
import { termFrequencies } from "../db/story_index.ts";
import { articleFeatures, idf, unitLength, weightedCosine } from "../ml/story_profile.ts";
import { summarize } from "../ml/summarize.ts";
import { splitSentences } from "../ml/sentences.ts";

/** Articles per story a headline and summary are drawn from (the earliest non-copies). */
export const LEADS_PER_STORY = 8;
/** Sentences of each article offered to the story's summary (its lead). */
const LEAD_SENTENCES = 3;
/** Sentences of a story's summary at most. */
export const SUMMARY_SENTENCES = 3;
/** Sources listed per story at most. */
export const MAX_SOURCES = 20;

/** A story as listed. */
export interface StoryView {
  id: number;
  headline: string;
  summary: string;
  topic: string | null;
  articles: number;
  sourceCount: number;
  sources: string[];
  firstSeen: string;
  lastSeen: string;
  growth: { recent: number; previous: number; change: number };
}

/** The most central of `articles` (highest mean similarity to the others), by index. */
async function centralIndex(db: Queryable, articles: StoryArticleRow[]): Promise<number[]> {
  const features = articles.map((a) => unitLength(articleFeatures(a.title, a.lead)));
  const terms = [...new Set(features.flatMap((f) => [...f.keys()]))];
  const { total, df } = await termFrequencies(db, terms);
  const rarity = (t: string) => idf(df.get(t) ?? 0, total);
  const score = features.map((f, i) =>
    features.reduce((s, g, j) => (i === j ? s : s + weightedCosine(f, g, rarity)), 0)
  );
  // Most central first; ties: the earliest.
  return articles.map((_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
}

/** A headline and summary from a story's lead articles (fallback: the story's title). */
async function headlineAndSummary(
  db: Queryable,
  title: string,
  leads: StoryArticleRow[],
): Promise<{ headline: string; summary: string }> {
  if (leads.length === 0) return { headline: title, summary: "" };
  const order = await centralIndex(db, leads);
  const headline = leads[order[0]].title;
  const text = order.map((i) => splitSentences(leads[i].lead).slice(0, LEAD_SENTENCES).join(" "))
    .join("\n\n");
  const { summary } = summarize({ text, title: headline, maxSentences: SUMMARY_SENTENCES });
  return { headline, summary };
}

async function views(db: Queryable, rows: StoryRow[]): Promise<StoryView[]> {
  const ids = rows.map((r) => r.id);
  const [leads, sources] = await Promise.all([
    storyLeads(db, ids, LEADS_PER_STORY),
    storySources(db, ids, MAX_SOURCES),
  ]);
  const out: StoryView[] = [];
  for (const r of rows) {
    const { headline, summary } = await headlineAndSummary(
      db,
      r.title,
      leads.filter((l) => l.storyId === r.id),
    );
    out.push({
      id: r.id,
      headline,
      summary,
      topic: r.topic,
      articles: r.articles,
      sourceCount: r.sources,
      sources: sources.get(r.id) ?? [],
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      growth: { recent: r.recent, previous: r.previous, change: r.recent - r.previous },
    });
  }
  return out;
}

/** What a listing asks for. */
export interface StoryListOptions {
  from?: string;
  to?: string;
  windowMs: number;
  /** Default period length when `from` is not given. */
  defaultPeriodMs: number;
  sort: StorySort;
  limit: number;
  minArticles: number;
  topic?: string | null;
  source?: string | null;
  after?: StoryAfter | null;
}

/** A page of stories, the period it covers, and where the next page resumes (null: last). */
export interface StoryPage {
  from: string;
  to: string;
  items: StoryView[];
  next: StoryAfter | null;
}

/**
 * The period of a listing: `to` defaults to just after the latest story activity (so a data
 * set of past news lists its own last days), `from` to `defaultPeriodMs` before `to`.
 */
export async function storyPeriod(
  db: Queryable,
  options: { from?: string; to?: string; defaultPeriodMs: number },
): Promise<{ from: string; to: string }> {
  let to = options.to;
  if (!to) {
    const latest = await latestStoryActivity(db);
    to = latest
      ? new Date(new Date(latest).getTime() + 1000).toISOString()
      : new Date().toISOString();
  }
  const from = options.from ??
    new Date(new Date(to).getTime() - options.defaultPeriodMs).toISOString();
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** A page of stories with headlines, summaries, sources and growth. */
export async function listStoryViews(db: Queryable, options: StoryListOptions): Promise<StoryPage> {
  const period = await storyPeriod(db, options);
  const rows = await listStoryRows(db, { ...options, ...period, limit: options.limit + 1 });
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    ...period,
    items: await views(db, page),
    next: rows.length > options.limit ? { key: last.key, id: last.id } : null,
  };
}

/** An article of a story page, with the near copies of it folded under it. */
export interface StoryArticleView {
  id: number;
  title: string;
  source: string | null;
  url: string | null;
  publishedAt: string;
  duplicateOf: number | null;
  pinned: boolean;
}

/** One story: its listing view, articles in time order, copies grouped, articles per day. */
export interface StoryDetail extends StoryView {
  items: StoryArticleView[];
  /** Near-copy groups: an article and the ids of the articles that copy it. */
  copies: Array<{ of: number; articles: number[] }>;
  days: Array<{ day: string; articles: number }>;
}

/** A story with its first `limit` articles in time order, or null when there is none. */
export async function storyDetail(
  db: Queryable,
  id: number,
  limit: number,
): Promise<StoryDetail | null> {
  const row = await storyRow(db, id);
  if (!row) return null;
  const [view] = await views(db, [row]);
  const articles = await storyArticles(db, id, limit);
  const copies = new Map<number, number[]>();
  for (const a of articles) {
    if (a.duplicateOf === null) continue;
    const list = copies.get(a.duplicateOf) ?? [];
    list.push(a.id);
    copies.set(a.duplicateOf, list);
  }
  return {
    ...view,
    items: articles.map(({ storyId: _s, lead: _l, ...a }) => a),
    copies: [...copies].map(([of, list]) => ({ of, articles: list })),
    days: await storyDays(db, id),
  };
}
