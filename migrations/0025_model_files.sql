-- The model store of record: every file of a registered model's directory (manifest.json
-- and each file its manifest lists with a sha256), in chunks of at most 1 MB, so any
-- replica can rebuild MODEL_DIR/<version> from the database alone.
CREATE TABLE model_files (
  version  text    NOT NULL REFERENCES models (version) ON DELETE CASCADE,
  path     text    NOT NULL,
  chunk_no integer NOT NULL CHECK (chunk_no >= 0),
  bytes    bytea   NOT NULL,
  PRIMARY KEY (version, path, chunk_no)
);
