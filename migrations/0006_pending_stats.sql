-- Trend statistics waiting to be added to the counters. Ingestion appends one row
-- per batch (no shared rows, so concurrent batches never wait for each other);
-- foldPendingStats() moves them into the counters, many batches in one statement.
CREATE TABLE trend_stats_pending (
  id    bigserial PRIMARY KEY,
  stats jsonb NOT NULL
);
