/**
 * Claims: reviewers take open items on a lease (`FOR UPDATE SKIP LOCKED`, so
 * replicas and tabs never share an item), see what they hold, and give an
 * item back.
 */
import type { Db, Queryable } from "../mod.ts";
import {
  filterClauses,
  ITEM_DETAIL_COLUMNS,
  ITEM_FROM,
  type ItemRow,
  NOT_DECIDED_BY,
  toItem,
} from "./items.ts";
import type { ReleaseOutcome } from "./outcomes.ts";
import { holdRefusal, lockItem, settle, stateOf, transact } from "./state.ts";
import {
  DEFAULT_LEASE_SECONDS,
  type ReviewFilter,
  type ReviewItem,
  type ReviewOrder,
} from "./types.ts";

export interface ClaimOptions {
  /** Items to claim (default 1). */
  limit?: number;
  filters?: Omit<ReviewFilter, "status" | "decidedBy">;
  order?: ReviewOrder;
  /** Lease length (default 300 s). */
  leaseSeconds?: number;
  /** The review desk page claiming (see {@link claimForDesk}); recorded on each item. */
  desk?: string;
}

const ORDER_SQL: Record<ReviewOrder, string> = {
  margin: "ri.margin ASC, ri.id ASC",
  oldest: "ri.id ASC",
  newest: "ri.id DESC",
};

/**
 * Open items a reviewer may take: unleased, or leased but expired. The first
 * conjunct is exactly the predicate of the partial index
 * `review_items_claimable_idx (margin, id)`, so claims walk that index in
 * order and stop at LIMIT even when the planner has no statistics (PGlite
 * never analyzes by itself).
 */
const CLAIMABLE = `ri.status IN ('queued', 'claimed', 'labelled')
  AND (ri.status <> 'claimed' OR ri.lease_expires_at <= now())`;

/** Article columns the filters read; joined only when a filter needs them. */
const ARTICLE_FILTERS: Array<keyof ReviewFilter> = ["source", "language", "since", "until"];
const needsArticle = (f: ReviewFilter) => ARTICLE_FILTERS.some((k) => f[k] !== undefined);

/**
 * Claims up to `limit` open items for `reviewer` on a lease: the most
 * informative first (smallest margin) unless `order` says otherwise. Never
 * returns an item another reviewer holds on a live lease (rows being claimed
 * concurrently are skipped, not waited for) nor one `reviewer` has already
 * decided on. May return fewer items than asked when others claim at once.
 */
export async function claimNext(
  db: Queryable,
  reviewer: string,
  options: ClaimOptions = {},
): Promise<ReviewItem[]> {
  const params: unknown[] = [
    reviewer,
    options.limit ?? 1,
    options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    options.desk ?? null,
  ];
  const where = [
    `(${CLAIMABLE})`,
    NOT_DECIDED_BY("$1"),
    ...filterClauses(options.filters ?? {}, params),
  ];
  const order = ORDER_SQL[options.order ?? "margin"];
  const rows = await db.query<ItemRow>(
    `WITH picked AS (
       SELECT ri.id FROM review_items ri
              ${
      needsArticle(options.filters ?? {}) ? "JOIN articles a ON a.id = ri.article_id" : ""
    }
        WHERE ${where.join(" AND ")}
        ORDER BY ${order}
        LIMIT $2
        FOR UPDATE OF ri SKIP LOCKED
     ), claimed AS (
       UPDATE review_items ri
          SET status = 'claimed', lease_holder = $1,
              lease_expires_at = now() + make_interval(secs => $3::double precision),
              lease_desk = $4::uuid, updated_at = now()
         FROM picked WHERE ri.id = picked.id
       RETURNING ri.*
     )
     SELECT ${ITEM_DETAIL_COLUMNS}
       FROM claimed ri
       JOIN articles a ON a.id = ri.article_id
       JOIN models m ON m.version = ri.model_version
      ORDER BY ${order}`,
    params,
  );
  return rows.map(toItem);
}

/**
 * {@link claimNext} for a review desk page, under the id it made when it loaded:
 * nothing once that desk is closed ({@link closeDesk}). The desk's row is locked
 * for the claim, so a close waits for a claim under way and then sees its items.
 */
export function claimForDesk(
  db: Db,
  reviewer: string,
  desk: string,
  options: Omit<ClaimOptions, "desk"> = {},
): Promise<ReviewItem[]> {
  return db.transaction(async (tx) => {
    if (!(await deskOpen(tx, reviewer, desk))) return [];
    return await claimNext(tx, reviewer, { ...options, desk });
  });
}

/**
 * Opens `reviewer`'s review desk `desk` if new, locking its row for the transaction;
 * false when it is closed (or another reviewer's).
 */
async function deskOpen(tx: Queryable, reviewer: string, desk: string): Promise<boolean> {
  const [row] = await tx.query<{ closed: boolean }>(
    `INSERT INTO review_desks (id, reviewer) VALUES ($1::uuid, $2)
     ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
     RETURNING closed_at IS NOT NULL OR reviewer <> $2 AS closed`,
    [desk, reviewer],
  );
  return !row.closed;
}

/**
 * Closes `reviewer`'s review desk `desk` (it claims nothing more) and returns the
 * items they hold under it, to give back. Desks older than a day are forgotten.
 */
export function closeDesk(db: Db, reviewer: string, desk: string): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query("DELETE FROM review_desks WHERE opened_at < now() - interval '1 day'");
    // Waits for a claim under this desk that is under way (it holds the row).
    await tx.query(
      `INSERT INTO review_desks (id, reviewer, closed_at) VALUES ($1::uuid, $2, now())
       ON CONFLICT (id) DO UPDATE SET closed_at = now() WHERE review_desks.reviewer = $2`,
      [desk, reviewer],
    );
    const rows = await tx.query<{ id: number }>(
      `SELECT id FROM review_items
        WHERE lease_desk = $1::uuid AND lease_holder = $2 AND status = 'claimed'
          AND lease_expires_at > now()
        ORDER BY id`,
      [desk, reviewer],
    );
    return rows.map((r) => Number(r.id));
  });
}

/** Items `reviewer` holds on a live lease, in claim order. */
export async function heldBy(db: Queryable, reviewer: string): Promise<ReviewItem[]> {
  const rows = await db.query<ItemRow>(
    `SELECT ${ITEM_DETAIL_COLUMNS} FROM ${ITEM_FROM}
      WHERE ri.lease_holder = $1 AND ri.status = 'claimed' AND ri.lease_expires_at > now()
      ORDER BY ri.margin, ri.id`,
    [reviewer],
  );
  return rows.map(toItem);
}

/**
 * Gives up `reviewer`'s live lease on an item, audited as `released`. Refused
 * when there is no such item or `reviewer` does not hold it on a live lease.
 */
export async function releaseItem(
  db: Db,
  reviewer: string,
  itemId: number,
): Promise<ReleaseOutcome> {
  // Only a desk's release leaves an item alone.
  return (await releaseUnder(db, reviewer, itemId, null))!;
}

/**
 * {@link releaseItem} of an item claimed under the review desk `desk`: one a later
 * desk took over ({@link adoptHeld}) is left alone (null).
 */
export function releaseUnderDesk(
  db: Db,
  reviewer: string,
  itemId: number,
  desk: string,
): Promise<ReleaseOutcome | null> {
  return releaseUnder(db, reviewer, itemId, desk);
}

async function releaseUnder(
  db: Db,
  reviewer: string,
  itemId: number,
  desk: string | null,
): Promise<ReleaseOutcome | null> {
  const outcome = await transact<ReleaseOutcome | { kind: "elsewhere" }>(db, async (tx) => {
    const item = await lockItem(tx, itemId);
    if (!item) return { kind: "notFound", id: itemId };
    if (desk) {
      const [row] = await tx.query<{ desk: string | null }>(
        "SELECT lease_desk::text AS desk FROM review_items WHERE id = $1",
        [itemId],
      );
      if (row?.desk !== desk) return { kind: "elsewhere" };
    }
    const refusal = await holdRefusal(tx, item, reviewer);
    if (refusal) return refusal;
    const after = await settle(tx, [itemId], reviewer, {
      audit: [{
        itemId,
        articleId: item.article_id,
        actor: reviewer,
        event: "released",
        before: stateOf(item),
        reasons: item.reasons,
      }],
    });
    return { kind: "ok", item: toItem({ ...item.view, ...after.get(itemId)! }) };
  });
  return outcome.kind === "elsewhere" ? null : outcome;
}

/**
 * The items `reviewer` holds on a live lease, taken over by the review desk `desk`
 * (a page that just loaded): closing the desk of the page before it gives back only
 * what that page still held, never what this one shows. A closed desk takes nothing.
 * The items are locked as they move, so a release of the earlier desk under way
 * either ends first (the item is gone from the list) or finds it moved.
 */
export function adoptHeld(db: Db, reviewer: string, desk: string): Promise<ReviewItem[]> {
  return db.transaction(async (tx) => {
    if (await deskOpen(tx, reviewer, desk)) {
      await tx.query(
        `UPDATE review_items SET lease_desk = $2::uuid
          WHERE lease_holder = $1 AND status = 'claimed' AND lease_expires_at > now()`,
        [reviewer, desk],
      );
    }
    return await heldBy(tx, reviewer);
  });
}
