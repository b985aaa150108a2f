-- Coarser rollups of the trend statistics. Term occurrences per calendar month and topic, beside the daily counts, so
-- rising terms over long ranges read one row per month instead of thirty.
CREATE TABLE term_counts_monthly (
  month date NOT NULL,
  topic text NOT NULL,
  term  text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (topic, month, term)
);

INSERT INTO term_counts_monthly (month, topic, term, count)
SELECT date_trunc('month', day)::date, topic, term, sum(count)::int
  FROM term_counts_daily
 GROUP BY 1, 2, 3;

-- Months whose daily term counts changed since they were rolled up. Ingestion
-- marks them (a few rows per batch, instead of upserting every term twice);
-- queries read such months from the daily counts until the roll-up catches up.
CREATE TABLE term_rollup_dirty (
  topic text NOT NULL,
  month date NOT NULL,
  PRIMARY KEY (topic, month)
);

-- Articles per day, topic and source: what day, week and month buckets read
-- (24 times fewer rows than the hourly counts).
CREATE TABLE article_counts_daily (
  day    date NOT NULL,
  topic  text NOT NULL,
  source text NOT NULL,
  count  integer NOT NULL,
  PRIMARY KEY (day, topic, source)
);

INSERT INTO article_counts_daily (day, topic, source, count)
SELECT (hour AT TIME ZONE 'UTC')::date, topic, source, sum(count)::int
  FROM article_counts_hourly
 GROUP BY 1, 2, 3;
