-- Admin actions and refusals: who tried to promote or roll back a model, bulk
-- accept or adjudicate, whether their key's role allowed it, and in which request.
-- The review decisions themselves stay in review_audit; this is the access record.
CREATE TABLE access_audit (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The API key's name (never the key).
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  outcome    text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
  request_id text,
  at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX access_audit_actor_idx ON access_audit (actor, id);

-- Append-only, like review_audit (TRUNCATE stays possible for test databases and
-- deliberate resets by an operator).
CREATE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_audit is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_audit_no_update_or_delete
  BEFORE UPDATE OR DELETE ON access_audit
  FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();
