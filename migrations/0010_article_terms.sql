-- The words each article adds to the trend statistics (term -> count), computed
-- once at ingestion, so a reviewed topic moves the term counts without the
-- database layer re-reading and re-tokenizing the text. NULL for articles stored
-- before this column: `serve` fills them in at start.
ALTER TABLE articles ADD COLUMN terms jsonb;
CREATE INDEX articles_terms_missing_idx ON articles (id) WHERE terms IS NULL;
