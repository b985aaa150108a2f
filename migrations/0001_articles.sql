-- Articles: what users push in. Everything else (predictions, reviews, audit
-- log, model registry) hangs off articles.id in later migrations.
CREATE TABLE articles (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_id  text,
  url          text,
  title        text NOT NULL,
  body         text NOT NULL,
  source       text,
  -- The source's own section or category (e.g. HuffPost's), kept beside the predicted topic.
  category     text,
  language     text,
  -- When the article was published; the ingestion time when the sender does not say.
  published_at timestamptz NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now(),
  -- sha256 of the normalised title and body.
  content_hash text NOT NULL,
  -- What makes two articles the same: the external id, else the url, else the content hash.
  dedup_key    text NOT NULL,
  search       tsvector GENERATED ALWAYS AS (
                 to_tsvector('english'::regconfig, title || ' ' || body)
               ) STORED,
  CONSTRAINT articles_dedup_key_unique UNIQUE (dedup_key)
);

CREATE INDEX articles_published_at_idx ON articles (published_at, id);
CREATE INDEX articles_source_idx ON articles (source, id);
CREATE INDEX articles_content_hash_idx ON articles (content_hash);
CREATE INDEX articles_search_idx ON articles USING gin (search);
