/** The access audit (migrations/0009_access_audit.sql): admin actions and refusals. */
import type { Queryable } from "./mod.ts";

/** What an admin-only action was, and whether the key's role allowed it. */
export interface AccessEntry {
  /** The API key's name. */
  actor: string;
  /** e.g. `promoteModel`, `bulkAccept`. */
  action: string;
  /** What it acted on (a model version, a review item id), if anything. */
  target: string | null;
  outcome: "allowed" | "denied";
  requestId: string | null;
}

/** A stored entry, with its id and time. */
export interface AccessRecord extends AccessEntry {
  id: number;
  at: string;
}

/** Appends one entry. */
export async function recordAccess(db: Queryable, entry: AccessEntry): Promise<void> {
  await db.query(
    `INSERT INTO access_audit (actor, action, target, outcome, request_id)
     VALUES ($1, $2, $3, $4, $5)`,
    [entry.actor, entry.action, entry.target, entry.outcome, entry.requestId],
  );
}

/** Entries newest first, optionally only one outcome or those before an id (paging). */
export async function listAccess(
  db: Queryable,
  filter: { outcome?: "allowed" | "denied"; beforeId?: number; limit: number },
): Promise<AccessRecord[]> {
  const rows = await db.query<{
    id: number | string;
    actor: string;
    action: string;
    target: string | null;
    outcome: "allowed" | "denied";
    request_id: string | null;
    at: Date | string;
  }>(
    `SELECT id, actor, action, target, outcome, request_id, at FROM access_audit
      WHERE ($1::text IS NULL OR outcome = $1) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC LIMIT $3`,
    [filter.outcome ?? null, filter.beforeId ?? null, filter.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    requestId: r.request_id,
    at: new Date(r.at).toISOString(),
  }));
}

/**
 * Deletes entries older than `days` days, oldest first, `batch` rows per
 * statement and at most `maxBatches` statements, so one run holds no lock for
 * long however far behind it is; returns how many it deleted. (The table
 * refuses deleting anything younger than a day: migrations/0020_*.sql.)
 */
export async function pruneAccessAudit(
  db: Queryable,
  options: { days: number; batch?: number; maxBatches?: number },
): Promise<number> {
  const { days, batch = 5_000, maxBatches = 20 } = options;
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const [{ n }] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM access_audit WHERE id IN (
           SELECT id FROM access_audit WHERE at < now() - make_interval(days => $1)
            ORDER BY at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, batch],
    );
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}
