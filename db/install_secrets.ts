/** Secrets made once per install and shared by every replica (migrations/0020_*.sql). */
import type { Queryable } from "./mod.ts";

/**
 * The secret stored under `name`; the first caller stores `make()`'s value and
 * every later caller, on any replica, reads that same one (a replica losing the
 * race to insert reads the winner's).
 */
export async function installSecret(
  db: Queryable,
  name: string,
  make: () => string,
): Promise<string> {
  const rows = await db.query<{ value: string }>(
    `WITH made AS (
       INSERT INTO install_secrets (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO NOTHING RETURNING value
     )
     SELECT value FROM made UNION ALL SELECT value FROM install_secrets WHERE name = $1`,
    [name, make()],
  );
  return rows[0].value;
}
