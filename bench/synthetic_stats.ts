/**
 * Synthetic trend statistics for benchmarks: the hourly counters and daily
 * term counts that ingesting `articles` articles over `days` days would leave,
 * generated in SQL so a million articles take seconds, not an hour.
 */
import type { Queryable } from "../db/mod.ts";

export interface SyntheticStatsOptions {
  articles: number;
  /** First day, `YYYY-MM-DD`. */
  from: string;
  days: number;
  topics: string[];
  sources: string[];
  /** Distinct terms per topic and day. */
  termsPerDay: number;
}

export async function seedSyntheticStats(db: Queryable, o: SyntheticStatsOptions): Promise<void> {
  const hours = o.days * 24;
  // Articles spread evenly over hours, topics and sources, with noise.
  const perCell = o.articles / (hours * o.topics.length * o.sources.length);
  await db.query(
    `INSERT INTO article_counts_hourly (hour, topic, source, count)
     SELECT $1::timestamptz + make_interval(hours => h), t, s,
            greatest(0, round($4::float8 * (0.5 + random())))::int
       FROM generate_series(0, $2::int - 1) AS h, unnest($3::text[]) AS t, unnest($5::text[]) AS s
     ON CONFLICT DO NOTHING`,
    [`${o.from}T00:00:00Z`, hours, o.topics, perCell, o.sources],
  );
  await db.query(
    `INSERT INTO article_counts_daily (day, topic, source, count)
     SELECT (hour AT TIME ZONE 'UTC')::date, topic, source, sum(count)::int
       FROM article_counts_hourly GROUP BY 1, 2, 3
     ON CONFLICT DO NOTHING`,
  );
  await db.query(
    `INSERT INTO term_counts_daily (day, topic, term, count)
     SELECT $1::date + d, t, 'term' || k, 1 + (random() * 20)::int
       FROM generate_series(0, $2::int - 1) AS d, unnest($3::text[]) AS t,
            generate_series(1, $4::int) AS k
     ON CONFLICT DO NOTHING`,
    [o.from, o.days, o.topics, o.termsPerDay],
  );
  await db.query(
    `INSERT INTO term_counts_monthly (month, topic, term, count)
     SELECT date_trunc('month', day)::date, topic, term, sum(count)::int
       FROM term_counts_daily GROUP BY 1, 2, 3
     ON CONFLICT DO NOTHING`,
  );
  await db.query(
    `INSERT INTO term_totals_daily (day, topic, terms, articles)
     SELECT day, topic, sum(count), 0 FROM term_counts_daily GROUP BY day, topic
     ON CONFLICT (topic, day) DO UPDATE SET terms = EXCLUDED.terms`,
  );
  await db.exec(
    "ANALYZE article_counts_hourly; ANALYZE term_counts_daily; ANALYZE term_totals_daily; ANALYZE term_counts_monthly; ANALYZE article_counts_daily;",
  );
}
