-- Human review: a queue of predictions for reviewers, their decisions, an
-- append-only audit log, and shadow models compared on live traffic.

-- One row per article waiting for (or having had) review of one model's prediction.
CREATE TABLE review_items (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id       bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  model_version    text NOT NULL REFERENCES models (version),
  predicted_label  text NOT NULL,
  score            double precision NOT NULL,
  scores           jsonb NOT NULL,
  -- Top-1 minus top-2 probability: the smaller, the more informative a review is.
  margin           double precision NOT NULL,
  -- Why it was queued; every entry one of the known reasons.
  reasons          text[] NOT NULL CHECK (
                     cardinality(reasons) > 0 AND
                     reasons <@ ARRAY['low_confidence', 'shadow_disagreement', 'audit',
                                      'language', 'manual']::text[]),
  -- The shadow model's label when it disagreed (reason shadow_disagreement).
  shadow_version   text,
  shadow_label     text,
  status           text NOT NULL DEFAULT 'queued' CHECK (status IN (
                     'queued', 'claimed', 'labelled', 'needs_adjudication',
                     'done', 'skipped', 'flagged')),
  -- Independent decisions needed (REVIEW_OVERLAP when queued).
  required_labels  integer NOT NULL CHECK (required_labels BETWEEN 1 AND 10),
  -- Decisions in force (not undone); kept by the code that adds or retracts them.
  label_count      integer NOT NULL DEFAULT 0,
  lease_holder     text,
  lease_expires_at timestamptz,
  -- The outcome: the label when done; the flag reason when flagged.
  final_label      text,
  final_flag       text,
  adjudicated_by   text,
  decided_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT review_items_lease_complete CHECK (
    (lease_holder IS NULL) = (lease_expires_at IS NULL)),
  CONSTRAINT review_items_claimed_has_lease CHECK (
    (status = 'claimed') = (lease_holder IS NOT NULL))
);

-- At most one open item per article (manual re-queues of finished items are allowed).
CREATE UNIQUE INDEX review_items_open_article_idx ON review_items (article_id)
  WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication');
CREATE INDEX review_items_article_idx ON review_items (article_id, decided_at);
-- The claim path: open items by margin.
CREATE INDEX review_items_claimable_idx ON review_items (margin, id)
  WHERE status IN ('queued', 'claimed', 'labelled');
CREATE INDEX review_items_status_idx ON review_items (status, id);
-- Export and training read finished items in id order.
CREATE INDEX review_items_finished_idx ON review_items (id)
  WHERE status IN ('done', 'skipped', 'flagged');
CREATE INDEX review_items_lease_holder_idx ON review_items (lease_holder)
  WHERE lease_holder IS NOT NULL;

-- One decision per reviewer per item; an undone decision stays, marked retracted.
CREATE TABLE review_labels (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id      bigint NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,
  reviewer     text NOT NULL,
  action       text NOT NULL CHECK (action IN ('accept', 'label', 'skip', 'flag')),
  -- The label decided on (the predicted one for accept); null for skip and flag.
  label        text,
  flag_reason  text CHECK (flag_reason IN ('not_news', 'duplicate', 'wrong_language', 'other')),
  note         text,
  -- What agreement compares: the label, or '!skip' / '!flag'.
  category     text GENERATED ALWAYS AS (coalesce(label, '!' || action)) STORED,
  bulk         boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retracted_at timestamptz,
  CONSTRAINT review_labels_shape CHECK (
    (action IN ('accept', 'label') AND label IS NOT NULL AND flag_reason IS NULL) OR
    (action = 'skip' AND label IS NULL AND flag_reason IS NULL) OR
    (action = 'flag' AND label IS NULL AND flag_reason IS NOT NULL))
);

CREATE UNIQUE INDEX review_labels_one_per_reviewer_idx ON review_labels (item_id, reviewer)
  WHERE retracted_at IS NULL;
CREATE INDEX review_labels_reviewer_idx ON review_labels (reviewer, id);

-- Every change to the queue: who, when, before, after, why the item was queued.
-- No foreign keys, so the history outlives the articles it speaks of.
CREATE TABLE review_audit (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id     bigint NOT NULL,
  article_id  bigint NOT NULL,
  actor       text NOT NULL,
  event       text NOT NULL CHECK (event IN (
                'queued', 'decided', 'bulk_accepted', 'undone', 'adjudicated', 'released')),
  action      text,
  label       text,
  flag_reason text,
  note        text,
  before      jsonb,
  after       jsonb NOT NULL,
  reasons     text[] NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX review_audit_item_idx ON review_audit (item_id, id);
CREATE INDEX review_audit_actor_idx ON review_audit (actor, id);

-- Append-only: rows are never changed or removed (TRUNCATE stays possible for
-- test databases and deliberate resets by an operator).
CREATE FUNCTION review_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'review_audit is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER review_audit_no_update_or_delete
  BEFORE UPDATE OR DELETE ON review_audit
  FOR EACH ROW EXECUTE FUNCTION review_audit_append_only();

-- Shadow mode: which candidate model runs beside the active one. The current
-- shadow is the newest row; a null version stops shadowing. Append-only like
-- model_activations.
CREATE TABLE model_shadow_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version    text REFERENCES models (version),
  actor      text,
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- The shadow's prediction for each live article, beside the active model's.
CREATE TABLE shadow_predictions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id     bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  active_version text NOT NULL,
  active_label   text NOT NULL,
  shadow_version text NOT NULL,
  shadow_label   text NOT NULL,
  shadow_score   double precision NOT NULL,
  shadow_scores  jsonb NOT NULL,
  agrees         boolean GENERATED ALWAYS AS (active_label = shadow_label) STORED,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shadow_predictions_article_unique UNIQUE (article_id, shadow_version)
);

CREATE INDEX shadow_predictions_version_idx ON shadow_predictions (shadow_version, active_version);
