/**
 * Writing the append-only review audit log: one row per change, with the
 * item's state before and after and why it was queued. Reads are in read.ts.
 */
import type { Queryable } from "../mod.ts";
import type { DecisionAction, ItemState, ReviewReason } from "./types.ts";

/** One change to record. */
export interface AuditEntry {
  itemId: number;
  articleId: number;
  actor: string;
  event: "decided" | "bulk_accepted" | "undone" | "adjudicated" | "released";
  action?: DecisionAction | null;
  label?: string | null;
  flagReason?: string | null;
  note?: string | null;
  before: ItemState | null;
  after: ItemState;
  reasons: ReviewReason[];
}

/**
 * Entries as rows for `jsonb_to_recordset`; `after` may be left out when the
 * statement writing them computes it (see `settle()`).
 */
export function auditRows(
  entries: ReadonlyArray<Omit<AuditEntry, "after"> & { after?: ItemState }>,
) {
  return entries.map((e) => ({
    item_id: e.itemId,
    article_id: e.articleId,
    actor: e.actor,
    event: e.event,
    action: e.action ?? null,
    label: e.label ?? null,
    flag_reason: e.flagReason ?? null,
    note: e.note ?? null,
    before: e.before,
    after: e.after,
    reasons: e.reasons,
  }));
}

/** Writes `entries` in one statement (inside the caller's transaction). */
export async function writeAudit(tx: Queryable, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO review_audit (item_id, article_id, actor, event, action, label, flag_reason,
                               note, before, after, reasons)
     SELECT r.item_id, r.article_id, r.actor, r.event, r.action, r.label, r.flag_reason, r.note,
            r.before, r.after, ARRAY(SELECT jsonb_array_elements_text(r.reasons))
       FROM jsonb_to_recordset($1::text::jsonb) AS r(
              item_id bigint, article_id bigint, actor text, event text, action text,
              label text, flag_reason text, note text, before jsonb, after jsonb, reasons jsonb)`,
    [JSON.stringify(auditRows(entries))],
  );
}
