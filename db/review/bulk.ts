/**
 * Decisions beyond one reviewer on one item: accepting many predictions at
 * once, and adjudicating an item whose reviewers disagree.
 */
import { applyReviewedTopics } from "../topics.ts";
import type { Db } from "../mod.ts";
import { writeAudit } from "./audit.ts";
import { filterClauses, getReviewItem, type ItemRow, NOT_DECIDED_BY } from "./items.ts";
import type { AdjudicateOutcome } from "./outcomes.ts";
import {
  adjudicatedStatus,
  type LockedItem,
  lockItem,
  recordedBy,
  settle,
  stateOf,
  transact,
} from "./state.ts";
import type { BulkFilter, Decision } from "./types.ts";

/**
 * Settles an item whose decisions disagree with `actor`'s decision, which
 * becomes the outcome. Refused for an unknown item, an unusable decision, or
 * an item that is not `needs_adjudication`.
 */
export async function adjudicate(
  db: Db,
  actor: string,
  itemId: number,
  decision: Decision,
): Promise<AdjudicateOutcome> {
  const outcome = await transact(db, async (tx) => {
    const item = await lockItem(tx, itemId);
    if (!item) return { kind: "notFound", id: itemId } as const;
    const recorded = recordedBy(item, decision);
    if ("kind" in recorded) return recorded;
    if (item.status !== "needs_adjudication") {
      return { kind: "notAwaitingAdjudication", id: itemId, status: item.status } as const;
    }
    const [row] = await tx.query<ItemRow>(
      `UPDATE review_items SET status = $2, final_label = $3, final_flag = $4,
              adjudicated_by = $5, decided_at = now(), updated_at = now()
        WHERE id = $1
       RETURNING status, label_count, final_label, final_flag, lease_holder`,
      [itemId, adjudicatedStatus(recorded), recorded.label, recorded.flag, actor],
    );
    await applyReviewedTopics(tx, [item.article_id]);
    await writeAudit(tx, [{
      itemId,
      articleId: item.article_id,
      actor,
      event: "adjudicated",
      action: decision.action,
      label: recorded.label,
      flagReason: recorded.flag,
      note: decision.note,
      before: stateOf(item),
      after: stateOf(row),
      reasons: item.reasons,
    }]);
    return { kind: "ok" } as const;
  });
  if (outcome.kind !== "ok") return outcome;
  return { kind: "ok", item: (await getReviewItem(db, itemId))! };
}

/**
 * Accepts the predicted label, as `reviewer`, on up to `limit` open items
 * matching `filter` that nobody else holds and `reviewer` has not decided on
 * (items `reviewer` holds are included). Each acceptance counts as one
 * decision (so with overlap the item may still need others), and each is
 * audited. Returns the ids accepted, oldest first.
 */
export async function bulkAccept(
  db: Db,
  reviewer: string,
  filter: BulkFilter,
  options: { limit: number; note?: string },
): Promise<number[]> {
  return await db.transaction(async (tx) => {
    const params: unknown[] = [reviewer, options.limit, options.note ?? null];
    const where = [
      `ri.status IN ('queued', 'claimed', 'labelled')
        AND (ri.status <> 'claimed' OR ri.lease_expires_at <= now() OR ri.lease_holder = $1)`,
      NOT_DECIDED_BY("$1"),
      ...filterClauses(filter, params),
    ];
    const picked = await tx.query<
      LockedItem & { item_id: number }
    >(
      `WITH picked AS (
         SELECT ri.id, ri.article_id, ri.status, ri.reasons, ri.label_count, ri.final_label,
                ri.final_flag, ri.lease_holder, ri.predicted_label
           FROM review_items ri JOIN articles a ON a.id = ri.article_id
          WHERE ${where.join(" AND ")}
          ORDER BY ri.id
          LIMIT $2
          FOR UPDATE OF ri SKIP LOCKED
       ), ins AS (
         INSERT INTO review_labels (item_id, reviewer, action, label, note, bulk)
         SELECT id, $1, 'accept', predicted_label, $3, true FROM picked
         RETURNING item_id
       )
       SELECT picked.* FROM picked JOIN ins ON ins.item_id = picked.id ORDER BY picked.id`,
      params,
    );
    if (picked.length === 0) return [];
    const ids = picked.map((p) => p.id);
    await settle(tx, ids, reviewer, {
      audit: picked.map((p) => ({
        itemId: p.id,
        articleId: p.article_id,
        actor: reviewer,
        event: "bulk_accepted" as const,
        action: "accept" as const,
        label: p.predicted_label,
        note: options.note,
        before: stateOf(p),
        reasons: p.reasons,
      })),
    });
    return ids;
  });
}
