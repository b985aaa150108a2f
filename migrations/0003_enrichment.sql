-- What ingestion adds to an article: its topic (the prediction of the model
-- active at ingestion), a summary, and the detected language; plus the
-- running statistics that trends read, so no request re-scans or re-tokenizes
-- the corpus.
ALTER TABLE articles
  ADD COLUMN topic text,
  ADD COLUMN topic_score double precision,
  ADD COLUMN summary text,
  ADD COLUMN summary_method text,
  ADD COLUMN language_confidence real;

CREATE INDEX articles_topic_published_idx ON articles (topic, published_at);
CREATE INDEX articles_language_idx ON articles (language, id);

-- Articles per hour, topic and source ('' when unknown), kept in the ingest transaction.
CREATE TABLE article_counts_hourly (
  hour   timestamptz NOT NULL,
  topic  text NOT NULL,
  source text NOT NULL,
  count  integer NOT NULL,
  PRIMARY KEY (hour, topic, source)
);
CREATE INDEX article_counts_hourly_topic_idx ON article_counts_hourly (topic, hour);

-- Term occurrences per day and topic, and the day's total, for rising terms.
CREATE TABLE term_counts_daily (
  day   date NOT NULL,
  topic text NOT NULL,
  term  text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (topic, day, term)
);

CREATE TABLE term_totals_daily (
  day      date NOT NULL,
  topic    text NOT NULL,
  terms    bigint NOT NULL,
  articles integer NOT NULL,
  PRIMARY KEY (topic, day)
);
