-- Console sessions ended by signing out before they expired. Session cookies are
-- stateless and signed; each one is also checked against this list, so a copy of a
-- signed-out cookie stops working on every replica at once. A row is needed only
-- until the session would have expired anyway.
CREATE TABLE revoked_sessions (
  -- A digest of the session's own random token (never the token).
  id         text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
