// deno-lint-ignore-file no-console
/**
 * Stories on a real news stream, where no gold events exist: the bundled HuffPost sample
 * (10,000 dated headlines and leads, 2018-2022, a few a day across every section) grouped in
 * publication order, 25 articles a call as a seeded batch is, into a fresh in-memory PGlite.
 * What it shows is over-merging, which the ECB+ bench (bench/stories.ts: events only, two of
 * each kind) cannot: a story whose profile has grown generic ("Trump", "COVID-19") keeps
 * drawing in articles of its kind for years. An event runs for weeks or months, so the
 * figures to read are the largest stories, their spans, and how many articles sit in
 * stories older than 90 days or larger than 50.
 *
 * Each setting of BENCH_STORY_STREAM_GRID (JSON list of StoryParams overrides, default the
 * product's defaults and `staleGrowth: 0`, grouping without the threshold's rise with a
 * quiet story's age) regroups the same stored articles.
 *
 * Measured (2 shared cores): with `staleGrowth: 0` the largest stories were "COVID-19"
 * (183 articles, March 2020 to August 2022), Russia/UN (99, January to September 2022), a
 * Trump family one (98, 2020-2022); 796 articles sat in stories of 50 or more, 1,190 in
 * stories spanning over 90 days. With the threshold rising with the time since a story's span
 * (`staleGrowth` 0.5 / 1 / 2): largest 76 / 59 / 39, articles in stories of 50 or more 143 /
 * 59 / 0, in stories over 90 days 60 / 26 / 0, stories of two or more 944 / 853 / 737 (972
 * before). At 1 (the default) the largest are events: the invasion of Ukraine (59, 19 Feb to
 * 4 Apr 2022), the Kavanaugh hearings (39, Sep-Oct 2018), the first weeks of COVID-19 (30,
 * Jan-Feb 2020). ECB+ train ARI is 0.925 at 0, 0.5 and 1, 0.924 at 2 (bench/stories.ts
 * BENCH_STORY_TUNE).
 *
 *   deno task bench story-stream
 */
import { join } from "node:path";
import { openPglite } from "../db/pglite.ts";
import { migrate } from "../db/migrate.ts";
import type { Db } from "../db/mod.ts";
import { insertArticles } from "../db/articles.ts";
import { clearStories } from "../db/stories.ts";
import { readDataset } from "../datasets/mod.ts";
import { toNewArticle } from "../services/article_rows.ts";
import { groupIntoStories } from "../services/stories.ts";
import { DEFAULT_STORY_PARAMS, type StoryParams } from "../ml/story_profile.ts";

const DATA = join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl");
const SLICE = 25;

interface Stored {
  id: number;
  title: string;
  body: string;
  publishedAt: string;
}

/** The sample stored in publication order (file order breaking ties). */
async function store(db: Db): Promise<Stored[]> {
  const rows = [];
  for await (const { label: _label, ...r } of readDataset(DATA)) rows.push(toNewArticle(r));
  const day = (r: { publishedAt?: string | null }) => r.publishedAt ?? "";
  rows.sort((a, b) => (day(a) < day(b) ? -1 : day(a) > day(b) ? 1 : 0));
  const out: Stored[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const slice = rows.slice(i, i + 500);
    const done = await db.transaction((tx) => insertArticles(tx, slice));
    done.forEach((o, k) => {
      if (o.status === "created") {
        out.push({
          id: o.id,
          title: slice[k].title,
          body: slice[k].body,
          publishedAt: o.publishedAt!,
        });
      }
    });
  }
  return out;
}

async function grouped(db: Db, articles: Stored[], params: StoryParams) {
  await db.transaction((tx) => clearStories(tx));
  await db.query("DELETE FROM story_term_df");
  for (let i = 0; i < articles.length; i += SLICE) {
    await db.transaction((tx) => groupIntoStories(tx, articles.slice(i, i + SLICE), params));
  }
  const [stats] = await db.query<Record<string, number | null>>(
    `SELECT count(*)::int AS stories,
            count(*) FILTER (WHERE articles >= 2)::int AS "ofTwoOrMore",
            max(articles)::int AS largest,
            coalesce(sum(articles) FILTER (WHERE articles >= 50), 0)::int AS "articlesInStoriesOf50",
            coalesce(sum(articles) FILTER (WHERE last_seen - first_seen > interval '90 days'), 0)::int
              AS "articlesInStoriesOver90Days"
       FROM stories`,
  );
  const largest = await db.query<{ articles: number; f: string; l: string; title: string }>(
    `SELECT articles, to_char(first_seen, 'YYYY-MM-DD') AS f, to_char(last_seen, 'YYYY-MM-DD') AS l,
            title FROM stories ORDER BY articles DESC, id LIMIT 5`,
  );
  return { ...stats, largest: largest.map((s) => `${s.articles} ${s.f}..${s.l} ${s.title}`) };
}

export async function main(): Promise<Record<string, unknown>> {
  const grid: Array<Partial<StoryParams>> = JSON.parse(
    Deno.env.get("BENCH_STORY_STREAM_GRID") ?? '[{}, {"staleGrowth": 0}]',
  );
  const db = await openPglite("memory");
  try {
    await migrate(db);
    const articles = await store(db);
    const settings = [];
    for (const g of grid) {
      const result = {
        params: g,
        ...await grouped(db, articles, { ...DEFAULT_STORY_PARAMS, ...g }),
      };
      console.error(JSON.stringify(result));
      settings.push(result);
    }
    return { articles: articles.length, settings };
  } finally {
    await db.close();
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
