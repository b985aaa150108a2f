/**
 * A reviewer's decision on an item they hold, and taking back their last one.
 * The state machine itself (who may act, how an item settles) is in state.ts.
 */
import type { Db } from "../mod.ts";
import { writeAudit } from "./audit.ts";
import { getReviewItem, toItem } from "./items.ts";
import type { DecideOutcome, Undone, UndoOutcome } from "./outcomes.ts";
import {
  holdRefusal,
  leaseBack,
  lockItem,
  recordedBy,
  settle,
  stateOf,
  transact,
} from "./state.ts";
import {
  type Decision,
  type DecisionAction,
  DEFAULT_LEASE_SECONDS,
  type FlagReason,
} from "./types.ts";

/**
 * Records `reviewer`'s decision on an item they hold on a live lease, ends the
 * lease and settles the item. Refused for an unknown item, a label outside
 * the model's label set, a flag without a reason, an item `reviewer` does not
 * hold, or a lease that expired.
 *
 * With a `decisionId` (made by the reviewer's client), a decision already stored
 * under that id — a retried or duplicated send — is not stored again: the answer
 * is `ok` with the item as it is now (`replayed`), even if the decision was undone
 * since. The id on another item is refused (`decisionIdReused`). Two sends of one
 * id meet at the item's lock, so the second always sees the first.
 */
export function decide(
  db: Db,
  reviewer: string,
  itemId: number,
  decision: Decision,
  options: { decisionId?: string } = {},
): Promise<DecideOutcome> {
  const { decisionId } = options;
  return transact<DecideOutcome>(db, async (tx) => {
    const item = await lockItem(tx, itemId);
    if (!item) return { kind: "notFound", id: itemId };
    if (decisionId) {
      const [prior] = await tx.query<{ item_id: number }>(
        "SELECT item_id FROM review_labels WHERE reviewer = $1 AND decision_id = $2::uuid",
        [reviewer, decisionId],
      );
      if (prior && Number(prior.item_id) !== itemId) {
        return { kind: "decisionIdReused", decisionId, itemId: Number(prior.item_id) };
      }
      if (prior) return { kind: "ok", item: toItem(item.view), replayed: true };
    }
    const recorded = recordedBy(item, decision);
    if ("kind" in recorded) return recorded;
    const refusal = await holdRefusal(tx, item, reviewer);
    if (refusal) return refusal;
    const { label, flag } = recorded;
    const after = await settle(tx, [itemId], reviewer, {
      newLabel: {
        itemId,
        reviewer,
        action: decision.action,
        label,
        flagReason: flag,
        note: decision.note ?? null,
        decisionId: decisionId ?? null,
      },
      audit: [{
        itemId,
        articleId: item.article_id,
        actor: reviewer,
        event: "decided",
        action: decision.action,
        label,
        flagReason: flag,
        note: decision.note,
        before: stateOf(item),
        reasons: item.reasons,
      }],
    });
    return { kind: "ok", item: toItem({ ...item.view, ...after.get(itemId)! }) };
  });
}

/** The last decision in force, as undo reads it. */
interface LastDecision {
  id: number;
  item_id: number;
  action: DecisionAction;
  label: string | null;
  flag_reason: FlagReason | null;
}

/**
 * Takes back `reviewer`'s most recent decision in force (the decision row is
 * kept, marked retracted, and the undo audited). The item is settled again
 * and, when open and not held by anyone else, leased back to `reviewer` so
 * they can decide again. Refused when there is nothing to undo or the item
 * has since been adjudicated.
 */
export async function undoLast(
  db: Db,
  reviewer: string,
  options: { leaseSeconds?: number } = {},
): Promise<UndoOutcome> {
  const result = await transact(db, async (tx) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const [last] = await tx.query<LastDecision>(
        `SELECT id, item_id, action, label, flag_reason FROM review_labels
          WHERE reviewer = $1 AND retracted_at IS NULL ORDER BY id DESC LIMIT 1`,
        [reviewer],
      );
      if (!last) return { kind: "nothingToUndo" } as const;
      const item = await lockItem(tx, last.item_id);
      if (!item) return { kind: "notFound", id: last.item_id } as const;
      if (item.adjudicated_by !== null) {
        return { kind: "alreadyAdjudicated", id: item.id, by: item.adjudicated_by } as const;
      }
      const retracted = await tx.query(
        "UPDATE review_labels SET retracted_at = now() WHERE id = $1 AND retracted_at IS NULL RETURNING id",
        [last.id],
      );
      if (retracted.length === 0) continue; // undone concurrently (another tab): look again
      let after = stateOf((await settle(tx, [item.id], reviewer)).get(item.id)!);
      if (after.status === "queued" || after.status === "labelled") {
        after = await leaseBack(
          tx,
          item.id,
          reviewer,
          options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        );
      }
      await writeAudit(tx, [{
        itemId: item.id,
        articleId: item.article_id,
        actor: reviewer,
        event: "undone",
        action: last.action,
        label: last.label,
        flagReason: last.flag_reason,
        before: stateOf(item),
        after,
        reasons: item.reasons,
      }]);
      return { kind: "ok", itemId: item.id, undone: last } as const;
    }
    return { kind: "undoConflict" } as const;
  });
  if (result.kind !== "ok") return result;
  const undone: Undone = {
    action: result.undone.action,
    label: result.undone.label,
    flagReason: result.undone.flag_reason,
  };
  return { kind: "ok", item: (await getReviewItem(db, result.itemId))!, undone };
}
