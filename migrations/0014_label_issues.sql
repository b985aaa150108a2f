-- Labelled data keeps its labels: the label each seeded article came with, and the
-- data set it came from, so suspected label errors can be found in stored data and
-- queued for review beside the label a cross-fitted model suggests instead.
CREATE TABLE given_labels (
  article_id bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  label      text NOT NULL,
  -- The file, folder or hub data set the label was read from.
  source     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A suspected label error is queued with the given label and the suggestion beside it.
ALTER TABLE review_items
  ADD COLUMN given_label text,
  ADD COLUMN suggested_label text,
  -- Label quality of the given label in [0, 1]: lower is more likely wrong.
  ADD COLUMN suggestion_score double precision;

ALTER TABLE review_items DROP CONSTRAINT review_items_reasons_check;
ALTER TABLE review_items ADD CONSTRAINT review_items_reasons_check CHECK (
  cardinality(reasons) > 0 AND
  reasons <@ ARRAY['low_confidence', 'shadow_disagreement', 'audit', 'language', 'manual',
                   'label_issue']::text[]);
ALTER TABLE review_items ADD CONSTRAINT review_items_label_issue_complete CHECK (
  NOT ('label_issue' = ANY (reasons)) OR
  (given_label IS NOT NULL AND suggested_label IS NOT NULL AND suggestion_score IS NOT NULL));

-- Re-running the ranking looks up whether an article was ever queued as a label issue.
CREATE INDEX review_items_label_issue_idx ON review_items (article_id)
  WHERE 'label_issue' = ANY (reasons);
