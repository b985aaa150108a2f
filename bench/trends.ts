// deno-lint-ignore-file no-console
/**
 * Trends over a year of daily buckets on PostgreSQL (BENCH_DB_URL, default the
 * local server), with statistics equivalent to 1,000,000 articles across 4
 * topics and 10 sources, and 2,000 distinct terms per topic and day.
 * Target: ≤ 200 ms per request.
 */
import { openPostgres } from "../db/postgres.ts";
import { migrate } from "../db/migrate.ts";
import { freshSchema } from "../testing/db/test_db.ts";
import { seedSyntheticStats } from "./synthetic_stats.ts";
import { labelTrends } from "../services/trends.ts";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function main(): Promise<Record<string, unknown>> {
  const url = Deno.env.get("BENCH_DB_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const schema = await freshSchema(url, "bench_trends");
  const db = openPostgres(schema.url, { max: 4 });
  try {
    await migrate(db);
    const started = performance.now();
    await seedSyntheticStats(db, {
      articles: 1_000_000,
      from: "2024-01-01",
      days: 366,
      topics: ["World", "Sports", "Business", "Sci/Tech"],
      sources: Array.from({ length: 10 }, (_, i) => `source-${i}`),
      termsPerDay: 2_000,
    });
    const seedSeconds = (performance.now() - started) / 1000;
    const results: Record<string, unknown> = { seedSeconds: Math.round(seedSeconds * 10) / 10 };
    const cases = {
      yearDailyNoTerms: {
        bucket: "day" as const,
        from: "2024-01-01T00:00:00Z",
        to: "2025-01-01T00:00:00Z",
        terms: 0,
      },
      yearDailyWithTerms: {
        bucket: "day" as const,
        from: "2024-01-01T00:00:00Z",
        to: "2025-01-01T00:00:00Z",
        terms: 10,
      },
      monthHourly: {
        bucket: "hour" as const,
        from: "2024-06-01T00:00:00Z",
        to: "2024-07-01T00:00:00Z",
        terms: 10,
      },
      yearWeeklyOneTopic: {
        bucket: "week" as const,
        from: "2024-01-01T00:00:00Z",
        to: "2025-01-01T00:00:00Z",
        label: "Sports",
        terms: 10,
      },
    };
    for (const [name, q] of Object.entries(cases)) {
      await labelTrends(db, q); // warm-up
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await labelTrends(db, q);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      results[name] = {
        p50Ms: Math.round(percentile(times, 50) * 10) / 10,
        p95Ms: Math.round(percentile(times, 95) * 10) / 10,
      };
    }
    const p50 = (results.yearDailyWithTerms as { p50Ms: number }).p50Ms;
    results.target = `${
      p50 <= 200 ? "met" : "MISSED"
    } (year of daily buckets with rising terms: ${p50} ms vs ≤ 200 ms)`;
    return results;
  } finally {
    await db.close();
    await schema.drop();
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
