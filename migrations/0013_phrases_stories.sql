-- Two-word phrases in the trend statistics, and stories (groups of articles about one event).
--
-- Phrases ("north korea") are counted beside words in term_counts_daily; their own total per
-- topic and day is kept apart, so a phrase's share is measured against phrases and a word's
-- against words.
ALTER TABLE term_totals_daily ADD COLUMN phrases bigint NOT NULL DEFAULT 0;

-- Articles whose stored terms (and counted statistics) predate phrases: `serve` adds their
-- phrases at start, a batch at a time, and clears the mark.
ALTER TABLE articles ADD COLUMN phrases_pending boolean;
UPDATE articles SET phrases_pending = true WHERE terms IS NOT NULL;
CREATE INDEX articles_phrases_pending_idx ON articles (id) WHERE phrases_pending;

-- A story: articles grouped at ingestion as near duplicates or reports of the same event.
-- `title` is its first article's; counts and first/last seen move as articles join.
CREATE TABLE stories (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title      text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  articles   integer NOT NULL
);
CREATE INDEX stories_last_seen_idx ON stories (last_seen, articles);

ALTER TABLE articles ADD COLUMN story_id bigint REFERENCES stories (id);
-- The MinHash signature of the article's title and lead (base64), compared with candidates'.
ALTER TABLE articles ADD COLUMN minhash text;
CREATE INDEX articles_story_idx ON articles (story_id, published_at) WHERE story_id IS NOT NULL;
CREATE INDEX articles_story_missing_idx ON articles (id) WHERE story_id IS NULL;

-- LSH band keys of each article's signature: articles sharing a key in the time window are
-- the candidates a new article is compared with (an index lookup, not a scan).
CREATE TABLE story_bands (
  band_key     bigint NOT NULL,
  published_at timestamptz NOT NULL,
  article_id   bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  PRIMARY KEY (band_key, published_at, article_id)
);
