-- Every retrain of the served model from reviewed labels: who or what started it, the
-- model active at the time, the candidate it trained, both models' scores on the fixed
-- evaluation set, and whether the candidate was promoted or left as the shadow model.
-- At most one retrain runs at a time across replicas: the partial unique index admits
-- one `running` row; a retrain whose process died stops renewing `heartbeat_at`, and the
-- next start marks it failed.
CREATE TABLE retrains (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trigger           text NOT NULL CHECK (trigger IN ('console', 'api', 'labels', 'cli')),
  actor             text,
  status            text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'promoted', 'shadowed', 'failed')),
  active_version    text,
  candidate_version text REFERENCES models (version),
  training_run_id   bigint REFERENCES training_runs (id),
  -- Macro-F1 of each model on the evaluation set (null: not scored, e.g. no active model).
  active_score      double precision,
  candidate_score   double precision,
  eval_size         integer,
  train_size        integer,
  error             text,
  started_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  heartbeat_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at       timestamptz,
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK (status <> 'failed' OR error IS NOT NULL),
  CHECK (status NOT IN ('promoted', 'shadowed') OR candidate_version IS NOT NULL)
);

CREATE UNIQUE INDEX retrains_one_running ON retrains (status) WHERE status = 'running';
CREATE INDEX retrains_started ON retrains (started_at);
