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

-- Each article's story and the MinHash signature of its title and lead (base64), which a
-- later article's candidates are compared by. A table of its own rather than columns of
-- articles: setting them would rewrite the article row and every index on it (the
-- full-text one included) a second time in the ingest transaction.
CREATE TABLE article_stories (
  article_id   bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  story_id     bigint NOT NULL REFERENCES stories (id),
  published_at timestamptz NOT NULL,
  minhash      text
);
CREATE INDEX article_stories_story_idx ON article_stories (story_id, published_at);

-- LSH band keys of each signature: articles sharing a key within the time window are the
-- candidates a new article is compared with (an index range scan per key, not a scan of
-- articles). No foreign key: a key of a deleted article finds no article_stories row and
-- is ignored, and the check would cost a lookup for each of an article's 20 keys.
CREATE TABLE story_bands (
  band_key     bigint NOT NULL,
  published_at timestamptz NOT NULL,
  article_id   bigint NOT NULL
);
CREATE INDEX story_bands_key_idx ON story_bands (band_key, published_at);

-- Where grouping the articles stored before stories were kept has reached (one row while
-- there are some left): `serve` goes on from it at start, a batch at a time, and deletes the
-- row when done, so a later start costs one lookup.
CREATE TABLE stories_backfill (after_id bigint NOT NULL);
INSERT INTO stories_backfill (after_id) SELECT 0 WHERE EXISTS (SELECT 1 FROM articles);
