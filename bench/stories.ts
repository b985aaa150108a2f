// deno-lint-ignore-file no-console
/**
 * Stories on the bundled data: ingests the HuffPost and AG News samples (20,000 articles,
 * no model) into a fresh PostgreSQL schema (BENCH_DB_URL, default the local server), then
 * reports how many stories have 2, 3 and more articles and how long grouping took, and prints
 * 30 stories of ≥ 3 articles drawn at random (fixed seed) with their titles to stderr, to be
 * read and judged by hand: same event or near duplicate = correct.
 *
 * Measured: 31 stories of ≥ 3 articles, 28 of the 30 printed right (two wrong: different
 * games of one baseball fixture, and five "Baseball Today" digests of different days; the AG
 * News sample has no dates, so every article shares the three-day window); before title
 * words weighed five times (ml/minhash.ts), 36 stories and 24 of 30 right.
 *
 *   deno task bench stories          (BENCH_STORY_SAMPLE=N to print another number)
 */
import { join } from "node:path";
import { readDataset } from "../datasets/mod.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { migrate } from "../db/migrate.ts";
import { openPostgres } from "../db/postgres.ts";
import { freshSchema } from "../db/test_db.ts";
import { getStory, listStories } from "../db/stories.ts";
import { mulberry32, shuffleInPlace } from "../ml/prng.ts";
import { ingestArticles } from "../services/ingest.ts";
import { fillStories } from "../services/stories.ts";

const SOURCES = [
  join(import.meta.dirname!, "../data/huffpost/news_category_10k.jsonl"),
  join(import.meta.dirname!, "../data/agnews/train_10k.csv"),
];

async function loadArticles(): Promise<ArticleInput[]> {
  const out: ArticleInput[] = [];
  for (const path of SOURCES) {
    for await (const { label: _label, ...r } of readDataset(path)) {
      const entries = Object.entries(r).filter(([, v]) => v !== null && v !== undefined);
      out.push(Object.fromEntries(entries) as unknown as ArticleInput);
    }
  }
  return out;
}

export async function main(): Promise<Record<string, unknown>> {
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const sample = Number(Deno.env.get("BENCH_STORY_SAMPLE") ?? 30);
  const schema = await freshSchema(url, "bench_stories");
  const db = openPostgres(schema.url, { max: 4 });
  try {
    await migrate(db);
    const articles = await loadArticles();
    let started = performance.now();
    for (let i = 0; i < articles.length; i += 500) {
      await ingestArticles(db, articles.slice(i, i + 500));
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    // The same grouping again from scratch, alone: its own cost.
    started = performance.now();
    const regrouped = await fillStories(db, { rebuild: true });
    const rebuildSeconds = (performance.now() - started) / 1000;
    const sizes = await db.query<{ size: string; stories: number; articles: number }>(
      `SELECT CASE WHEN articles >= 10 THEN '10+' WHEN articles >= 3 THEN '3-9' ELSE articles::text END
                AS size, count(*)::int AS stories, sum(articles)::int AS articles
         FROM stories GROUP BY 1 ORDER BY 1`,
    );
    const big = await listStories(db, {
      from: "1900-01-01T00:00:00Z",
      to: "2200-01-01T00:00:00Z",
      limit: 10_000,
      minArticles: 3,
    });
    const picked = shuffleInPlace([...big], mulberry32(20261201)).slice(0, sample);
    for (const [n, s] of picked.entries()) {
      const story = await getStory(db, s.id, 8);
      console.error(`\n#${n + 1} story ${s.id}: ${s.articles} articles, ${s.sources.join(", ")}`);
      for (const a of story!.items) console.error(`   ${a.publishedAt.slice(0, 10)}  ${a.title}`);
    }
    return {
      articles: articles.length,
      ingestSeconds: Math.round(ingestSeconds * 10) / 10,
      rebuild: { articles: regrouped, seconds: Math.round(rebuildSeconds * 10) / 10 },
      storiesBySize: Object.fromEntries(sizes.map((r) => [r.size, r])),
      storiesWithAtLeast3: big.length,
      largest: big.slice(0, 5).map((s) => ({ articles: s.articles, title: s.title })),
    };
  } finally {
    await db.close();
    await schema.drop();
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
