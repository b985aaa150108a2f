/** Revoked console sessions (see migrations/0008_revoked_sessions.sql). */
import type { Queryable } from "./mod.ts";

/**
 * Revokes the session `id` until `expires` (seconds since the epoch, its own expiry),
 * and drops revocations of sessions that have expired since: the list stays as long
 * as the sessions signed out within one session lifetime.
 */
export async function revokeSession(db: Queryable, id: string, expires: number): Promise<void> {
  await db.query(
    `WITH expired AS (DELETE FROM revoked_sessions WHERE expires_at <= now())
     INSERT INTO revoked_sessions (id, expires_at) VALUES ($1, to_timestamp($2))
     ON CONFLICT (id) DO NOTHING`,
    [id, expires],
  );
}

/** True when the session `id` was signed out. */
export async function isSessionRevoked(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM revoked_sessions WHERE id = $1", [id]);
  return rows.length > 0;
}
