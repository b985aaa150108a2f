-- A training run renews `heartbeat_at` while it trains (every 30 s); a run still `running`
-- whose heartbeat is older than ten minutes was killed or crashed, and is failed as
-- abandoned by the next run's start or by `serve` at start. Runs running when this is
-- applied get a heartbeat of now: if nothing renews it, they are failed ten minutes on.
ALTER TABLE training_runs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp();
