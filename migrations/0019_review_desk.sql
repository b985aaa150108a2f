-- A decision may carry an id its client made (the review desk makes one per
-- decision), so a send that is retried or duplicated (a page sending its queue as it
-- goes, then again on the next load) is stored once: the second finds the first.
-- Scoped by reviewer, so nobody can claim another reviewer's id. An undone decision
-- keeps its id: replaying it answers what it did, and does not decide again.
ALTER TABLE review_labels ADD COLUMN decision_id uuid;

CREATE UNIQUE INDEX review_labels_decision_id_idx ON review_labels (reviewer, decision_id)
  WHERE decision_id IS NOT NULL;

-- A review desk page makes an id when it loads and claims under it, so everything it
-- holds can be given back as it goes, even items whose claim's answer it never read
-- (the page went while the claim was out). A closed desk claims nothing more, so a
-- claim that reaches the server after the page's goodbye takes nothing.
ALTER TABLE review_items ADD COLUMN lease_desk uuid;

CREATE TABLE review_desks (
  id        uuid PRIMARY KEY,
  reviewer  text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);

-- Desks are forgotten a day after they opened.
CREATE INDEX review_desks_opened_idx ON review_desks (opened_at);
