-- The model registry: every model this service has trained, imported or been
-- pointed at, and an append-only history of which one is active.
CREATE TABLE models (
  version       text PRIMARY KEY,
  name          text NOT NULL,
  labels        jsonb NOT NULL,
  -- trained: by `newsintel train`; imported: from a bundle; hub/local: HF_MODEL.
  origin        text NOT NULL CHECK (origin IN ('trained', 'imported', 'hub', 'local')),
  -- Directory under MODEL_DIR, or the hub reference `repo@revision`.
  location      text NOT NULL,
  manifest      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Promotions and rollbacks. The active model is the newest row; nothing is updated in place.
CREATE TABLE model_activations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version     text NOT NULL REFERENCES models (version),
  action      text NOT NULL CHECK (action IN ('promote', 'rollback', 'bootstrap')),
  actor       text,
  activated_at timestamptz NOT NULL DEFAULT now()
);

-- One prediction per article and model version, with every label's probability.
CREATE TABLE predictions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  model_version text NOT NULL REFERENCES models (version),
  label         text NOT NULL,
  score         double precision NOT NULL,
  scores        jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT predictions_article_model_unique UNIQUE (article_id, model_version)
);

CREATE INDEX predictions_model_label_idx ON predictions (model_version, label);
