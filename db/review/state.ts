/**
 * The review state machine, in one place: locking an item, checking who may
 * act on it, and settling it from its decisions in force. Every change writes
 * `review_audit` in the same transaction, and every refusal is an outcome
 * (outcomes.ts), never an HTTP error.
 *
 * Outcome rule, for an item needing N decisions: once N reviewers have
 * decided, the item is `done` (all chose the same label), `skipped` (all
 * skipped), `flagged` (all flagged) or `needs_adjudication` (anything else).
 * Lease expiry needs no sweeper: an expired `claimed` item is claimable again
 * and reported under the status it would return to.
 */
import { applyReviewedTopics } from "../topics.ts";
import type { Db, Queryable } from "../mod.ts";
import { type AuditEntry, auditRows } from "./audit.ts";
import { ITEM_DETAIL_COLUMNS, ITEM_FROM, type ItemRow } from "./items.ts";
import type { DecisionRefusal, HoldRefusal } from "./outcomes.ts";
import type {
  Decision,
  DecisionAction,
  FlagReason,
  ItemState,
  ReviewReason,
  ReviewStatus,
} from "./types.ts";

/** An item locked for a change: its raw state (lease expiry not folded in) and its view. */
export interface LockedItem {
  id: number;
  article_id: number;
  status: ReviewStatus;
  predicted_label: string;
  reasons: ReviewReason[];
  label_count: number;
  lease_holder: string | null;
  lease_expires_at: Date | null;
  expired: boolean;
  final_label: string | null;
  final_flag: string | null;
  adjudicated_by: string | null;
  model_labels: string[];
  /** The item as the API shows it, read with the lock (saves a read after the change). */
  view: ItemRow;
}

/** The audited state of a row. */
export const stateOf = (r: {
  status: ReviewStatus;
  label_count: number;
  final_label: string | null;
  final_flag: string | null;
  lease_holder: string | null;
}): ItemState => ({
  status: r.status,
  labelCount: r.label_count,
  finalLabel: r.final_label,
  finalFlag: r.final_flag,
  leaseHolder: r.lease_holder,
});

/** Locks item `id` for the rest of the transaction; null when there is none. */
export async function lockItem(tx: Queryable, id: number): Promise<LockedItem | null> {
  const [row] = await tx.query<
    ItemRow & {
      raw_status: ReviewStatus;
      raw_lease_holder: string | null;
      raw_lease_expires_at: Date | null;
      expired: boolean;
    }
  >(
    `SELECT ${ITEM_DETAIL_COLUMNS}, ri.status AS raw_status, ri.lease_holder AS raw_lease_holder,
            ri.lease_expires_at AS raw_lease_expires_at,
            ri.lease_expires_at <= now() AS expired
       FROM ${ITEM_FROM}
      WHERE ri.id = $1
        FOR UPDATE OF ri`,
    [id],
  );
  if (!row) return null;
  return {
    id: row.id,
    article_id: row.article_id,
    status: row.raw_status,
    predicted_label: row.predicted_label,
    reasons: row.reasons,
    label_count: row.label_count,
    lease_holder: row.raw_lease_holder,
    lease_expires_at: row.raw_lease_expires_at,
    expired: row.expired === true,
    final_label: row.final_label,
    final_flag: row.final_flag,
    adjudicated_by: row.adjudicated_by,
    model_labels: row.model_labels,
    view: row,
  };
}

/** What a decision records: its label (checked against the model's label set) and flag. */
export type Recorded = { label: string | null; flag: FlagReason | null };

/** The label and flag `d` records on `item`, or why `d` cannot be recorded. */
export function recordedBy(item: LockedItem, d: Decision): Recorded | DecisionRefusal {
  if (d.action === "label" && (d.label === undefined || !item.model_labels.includes(d.label))) {
    return { kind: "invalidLabel", label: d.label, labels: item.model_labels };
  }
  if (d.action === "flag" && !d.flagReason) return { kind: "flagReasonRequired" };
  return {
    label: d.action === "accept" ? item.predicted_label : d.action === "label" ? d.label! : null,
    flag: d.action === "flag" ? d.flagReason! : null,
  };
}

/** The status an adjudicator's decision settles an item in. */
export function adjudicatedStatus(recorded: Recorded): ReviewStatus {
  return recorded.label !== null ? "done" : recorded.flag !== null ? "flagged" : "skipped";
}

/** Why `reviewer` may not act on `item` as its holder now, or null when they may. */
export async function holdRefusal(
  tx: Queryable,
  item: LockedItem,
  reviewer: string,
): Promise<HoldRefusal | null> {
  if (item.status === "claimed" && item.lease_holder === reviewer) {
    if (!item.expired) return null;
    return {
      kind: "leaseExpired",
      id: item.id,
      expiredAt: new Date(item.lease_expires_at!).toISOString(),
    };
  }
  const [mine] = await tx.query(
    "SELECT 1 FROM review_labels WHERE item_id = $1 AND reviewer = $2 AND retracted_at IS NULL",
    [item.id, reviewer],
  );
  if (mine) return { kind: "alreadyDecided", id: item.id };
  return { kind: "notHeld", id: item.id, heldByOther: item.status === "claimed" && !item.expired };
}

/** Thrown inside a transaction to roll it back and carry a refusal out of it. */
class Refused extends Error {
  constructor(readonly outcome: { kind: string }) {
    super(`refused: ${outcome.kind}`);
  }
}

/**
 * Runs `fn` in one transaction and returns its outcome. Anything but
 * `{ kind: "ok" }` rolls the transaction back, as a thrown error would, so a
 * refusal found after a write leaves nothing behind.
 */
export async function transact<O extends { kind: string }>(
  db: Db,
  fn: (tx: Queryable) => Promise<O>,
): Promise<O> {
  try {
    return await db.transaction(async (tx) => {
      const outcome = await fn(tx);
      if (outcome.kind !== "ok") throw new Refused(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof Refused) return err.outcome as O;
    throw err;
  }
}

/** A decision row to insert as part of {@link settle}. */
export interface NewLabel {
  itemId: number;
  reviewer: string;
  action: DecisionAction;
  label: string | null;
  flagReason: FlagReason | null;
  note: string | null;
  /** The id the reviewer's client gave the decision (makes a repeated send a no-op). */
  decisionId?: string | null;
}

/** The columns of an item that settling changes. */
export type SettledRow = Pick<
  ItemRow,
  | "id"
  | "article_id"
  | "status"
  | "label_count"
  | "final_label"
  | "final_flag"
  | "lease_holder"
  | "lease_expires_at"
  | "decided_at"
  | "updated_at"
>;

/**
 * Recomputes status, outcome and label count of `ids` from their decisions in
 * force — plus `newLabel`, inserted by the same statement — and writes the
 * audit entries with each item's new state as `after`: one round trip for the
 * whole decision. A live lease held by someone other than `actor` on an item
 * that is still open is kept; any other lease ends. The articles' topics
 * follow their settled labels.
 */
export async function settle(
  tx: Queryable,
  ids: number[],
  actor: string,
  options: { newLabel?: NewLabel; audit?: Array<Omit<AuditEntry, "after">> } = {},
): Promise<Map<number, SettledRow>> {
  const keepLease = `(next.status IN ('queued', 'labelled') AND ri.status = 'claimed'
    AND ri.lease_holder <> $2 AND ri.lease_expires_at > now())`;
  const l = options.newLabel;
  const rows = await tx.query<SettledRow>(
    `WITH ins AS (
       INSERT INTO review_labels (item_id, reviewer, action, label, flag_reason, note, decision_id)
       SELECT $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::text, $10::uuid
        WHERE $3::bigint IS NOT NULL
       RETURNING item_id, category, flag_reason
     ), labels AS (
       -- The statement's snapshot does not see the row inserted above: add it.
       SELECT item_id, category, flag_reason FROM review_labels
        WHERE item_id = ANY ($1::bigint[]) AND retracted_at IS NULL
       UNION ALL
       SELECT item_id, category, flag_reason FROM ins
     ), agg AS (
       SELECT ri.id, ri.required_labels, count(l.item_id)::int AS n,
              count(DISTINCT l.category)::int AS kinds,
              min(l.category) AS category, min(l.flag_reason) AS flag
         FROM review_items ri
         LEFT JOIN labels l ON l.item_id = ri.id
        WHERE ri.id = ANY ($1::bigint[])
        GROUP BY ri.id, ri.required_labels
     ), next AS (
       SELECT agg.*, CASE
                WHEN n = 0 THEN 'queued'
                WHEN n < required_labels THEN 'labelled'
                WHEN kinds > 1 THEN 'needs_adjudication'
                WHEN category = '!skip' THEN 'skipped'
                WHEN category = '!flag' THEN 'flagged'
                ELSE 'done' END AS status
         FROM agg
     ), settled AS (
       UPDATE review_items ri SET
         label_count = next.n,
         status = CASE WHEN ${keepLease} THEN 'claimed' ELSE next.status END,
         lease_holder = CASE WHEN ${keepLease} THEN ri.lease_holder END,
         lease_expires_at = CASE WHEN ${keepLease} THEN ri.lease_expires_at END,
         final_label = CASE WHEN next.status = 'done' THEN next.category END,
         final_flag = CASE WHEN next.status = 'flagged' THEN next.flag END,
         decided_at = CASE WHEN next.status IN ('done', 'skipped', 'flagged') THEN now() END,
         updated_at = now()
       FROM next WHERE ri.id = next.id
       RETURNING ri.id, ri.article_id, ri.status, ri.label_count, ri.final_label, ri.final_flag,
                 ri.lease_holder, ri.lease_expires_at, ri.decided_at, ri.updated_at
     ), audited AS (
       INSERT INTO review_audit (item_id, article_id, actor, event, action, label, flag_reason,
                                 note, before, after, reasons)
       SELECT e.item_id, e.article_id, e.actor, e.event, e.action, e.label, e.flag_reason, e.note,
              e.before,
              jsonb_build_object('status', s.status, 'labelCount', s.label_count,
                                 'finalLabel', s.final_label, 'finalFlag', s.final_flag,
                                 'leaseHolder', s.lease_holder),
              ARRAY(SELECT jsonb_array_elements_text(e.reasons))
         FROM jsonb_to_recordset($9::text::jsonb) AS e(
                item_id bigint, article_id bigint, actor text, event text, action text,
                label text, flag_reason text, note text, before jsonb, reasons jsonb)
         JOIN settled s ON s.id = e.item_id
     )
     SELECT * FROM settled`,
    [
      ids,
      actor,
      l?.itemId ?? null,
      l?.reviewer ?? null,
      l?.action ?? null,
      l?.label ?? null,
      l?.flagReason ?? null,
      l?.note ?? null,
      JSON.stringify(auditRows(options.audit ?? [])),
      l?.decisionId ?? null,
    ],
  );
  await applyReviewedTopics(tx, [...new Set(rows.map((r) => r.article_id))]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** Leases an open item to `reviewer` (after an undo, so they can decide again). */
export async function leaseBack(
  tx: Queryable,
  id: number,
  reviewer: string,
  leaseSeconds: number,
): Promise<ItemState> {
  const [row] = await tx.query<ItemRow>(
    `UPDATE review_items SET status = 'claimed', lease_holder = $2,
            lease_expires_at = now() + make_interval(secs => $3::double precision)
      WHERE id = $1
     RETURNING status, label_count, final_label, final_flag, lease_holder`,
    [id, reviewer, leaseSeconds],
  );
  return stateOf(row);
}
