-- A decision may carry an id its client made (the review desk makes one per
-- decision), so a send that is retried or duplicated (a page sending its queue as it
-- goes, then again on the next load) is stored once: the second finds the first.
-- Scoped by reviewer, so nobody can claim another reviewer's id. An undone decision
-- keeps its id: replaying it answers what it did, and does not decide again.
ALTER TABLE review_labels ADD COLUMN decision_id uuid;

CREATE UNIQUE INDEX review_labels_decision_id_idx ON review_labels (reviewer, decision_id)
  WHERE decision_id IS NOT NULL;
