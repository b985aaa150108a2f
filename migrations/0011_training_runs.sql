-- Every training run: what it was asked to do, on which data, what it measured,
-- how long it took, and how it ended — the model it produced, or the error that
-- stopped it. A run is written as `running` before training starts, so a failure
-- leaves its trace; a process killed mid-training leaves its run `running`.
CREATE TABLE training_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  status        text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed')),
  -- The trainer's options: name, seed, folds, hyperparameters, reviewed labels merged.
  parameters    jsonb NOT NULL,
  -- sha256 of the training examples (as in the model's manifest) and their count;
  -- null when the run failed before its data was read.
  data_sha256   text,
  data_size     integer,
  -- One evaluation report per cross-fitting fold, and the out-of-fold report
  -- (accuracy, macro-F1, per-class metrics, confusion matrix, ECE before/after).
  fold_metrics  jsonb,
  metrics       jsonb,
  duration_ms   bigint,
  error         text,
  model_version text REFERENCES models (version),
  CHECK (status <> 'succeeded' OR model_version IS NOT NULL),
  CHECK (status <> 'failed' OR (error IS NOT NULL AND model_version IS NULL)),
  CHECK ((status = 'running') = (finished_at IS NULL))
);
