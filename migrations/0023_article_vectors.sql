-- Each article's dense vector (the normalised weighted mean of its word vectors, from the
-- topic model that classified it at ingestion), for finding similar articles: candidates
-- are read by publication time within a window, through the index, never by a full scan.
CREATE TABLE article_vectors (
  article_id    bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  model_version text NOT NULL,
  published_at  timestamptz NOT NULL,
  vector        real[] NOT NULL
);

CREATE INDEX article_vectors_published_at_idx ON article_vectors (published_at, article_id);
