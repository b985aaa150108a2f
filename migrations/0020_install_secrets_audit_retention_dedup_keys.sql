-- Secrets made once per install and shared by every replica through the
-- database: today the console's session-signing key, when SESSION_SECRET is
-- unset (lib/session.ts). The first replica to start inserts a random value;
-- the others read it.
CREATE TABLE install_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The access audit keeps ACCESS_AUDIT_RETENTION_DAYS of history: `serve` deletes
-- older rows in batches, oldest first. It stays append-only for anything younger
-- than a day, so nobody can quietly rewrite or drop what just happened.
CREATE INDEX access_audit_at_idx ON access_audit (at);

CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '1 day' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'access_audit is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Dedup keys and content hashes are now computed from normalised text (Unicode
-- NFC; urls with lower-case scheme and host, no default port, fragment, empty
-- query or trailing slash). Articles stored before this migration (ids up to
-- `last_id`) are re-keyed by `serve` in batches (services/dedup_upgrade.ts);
-- `done_id` is how far it got. Where two stored articles now share a key, the
-- oldest takes it.
CREATE TABLE dedup_key_upgrade (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_id  bigint NOT NULL,
  done_id  bigint NOT NULL DEFAULT 0
);

INSERT INTO dedup_key_upgrade (last_id) SELECT coalesce(max(id), 0) FROM articles;
