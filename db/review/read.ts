/** Review queue reads: filtered, keyset-paginated listing; decisions and audit history. */
import type { Queryable } from "../mod.ts";
import { filterClauses, ITEM_COLUMNS, ITEM_FROM, type ItemRow, toItem } from "./items.ts";
import type {
  DecisionAction,
  FlagReason,
  ItemState,
  ReviewFilter,
  ReviewItem,
  ReviewOrder,
  ReviewReason,
} from "./types.ts";

/** Where the previous page ended: its last item's margin and id. */
export interface ItemCursor {
  margin: number;
  id: number;
}

/**
 * Items matching `filter`, in `order` (most informative first by default);
 * fetch `limit + 1` to know whether another page exists.
 */
export async function listReviewItems(
  db: Queryable,
  filter: ReviewFilter,
  options: { order?: ReviewOrder; after?: ItemCursor; limit: number },
): Promise<ReviewItem[]> {
  const params: unknown[] = [];
  const where = filterClauses(filter, params);
  const order = options.order ?? "margin";
  if (options.after) {
    const { margin, id } = options.after;
    if (order === "margin") {
      params.push(margin, id);
      where.push(
        `(ri.margin, ri.id) > ($${params.length - 1}::double precision, $${params.length})`,
      );
    } else {
      params.push(id);
      where.push(`ri.id ${order === "oldest" ? ">" : "<"} $${params.length}`);
    }
  }
  params.push(options.limit);
  const orderBy = order === "margin"
    ? "ri.margin, ri.id"
    : order === "oldest"
    ? "ri.id"
    : "ri.id DESC";
  const rows = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM}
      ${where.length ? "WHERE " + where.join(" AND ") : ""}
      ORDER BY ${orderBy} LIMIT $${params.length}`,
    params,
  );
  return rows.map(toItem);
}

export interface ReviewLabel {
  id: number;
  reviewer: string;
  action: DecisionAction;
  label: string | null;
  flagReason: FlagReason | null;
  note: string | null;
  bulk: boolean;
  createdAt: string;
  /** Set when the reviewer undid this decision. */
  retractedAt: string | null;
  /** The id the reviewer's client gave the decision, if any. */
  decisionId: string | null;
}

/** Every decision on an item, undone ones included, oldest first. */
export async function itemLabels(db: Queryable, itemId: number): Promise<ReviewLabel[]> {
  const rows = await db.query<{
    id: number;
    reviewer: string;
    action: DecisionAction;
    label: string | null;
    flag_reason: FlagReason | null;
    note: string | null;
    bulk: boolean;
    created_at: Date;
    retracted_at: Date | null;
    decision_id: string | null;
  }>(
    `SELECT id, reviewer, action, label, flag_reason, note, bulk, created_at, retracted_at,
            decision_id
       FROM review_labels WHERE item_id = $1 ORDER BY id`,
    [itemId],
  );
  return rows.map((r) => ({
    id: r.id,
    reviewer: r.reviewer,
    action: r.action,
    label: r.label,
    flagReason: r.flag_reason,
    note: r.note,
    bulk: r.bulk,
    createdAt: new Date(r.created_at).toISOString(),
    retractedAt: r.retracted_at === null ? null : new Date(r.retracted_at).toISOString(),
    decisionId: r.decision_id,
  }));
}

export type AuditEvent =
  | "queued"
  | "decided"
  | "bulk_accepted"
  | "undone"
  | "adjudicated"
  | "released";

export interface AuditRecord {
  id: number;
  itemId: number;
  articleId: number;
  actor: string;
  event: AuditEvent;
  action: DecisionAction | null;
  label: string | null;
  flagReason: FlagReason | null;
  note: string | null;
  before: ItemState | null;
  after: ItemState | Record<string, unknown>;
  /** Why the item was queued. */
  reasons: ReviewReason[];
  at: string;
}

export interface AuditFilter {
  itemId?: number;
  articleId?: number;
  actor?: string;
  event?: AuditEvent;
  /** Entries with ids below this one (keyset cursor, newest first). */
  beforeId?: number;
  limit: number;
}

/** Audit entries, newest first. */
export async function listAudit(db: Queryable, filter: AuditFilter): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace("?", `$${params.length}`));
  };
  if (filter.itemId !== undefined) add("item_id = ?", filter.itemId);
  if (filter.articleId !== undefined) add("article_id = ?", filter.articleId);
  if (filter.actor !== undefined) add("actor = ?", filter.actor);
  if (filter.event !== undefined) add("event = ?", filter.event);
  if (filter.beforeId !== undefined) add("id < ?", filter.beforeId);
  params.push(filter.limit);
  const rows = await db.query<{
    id: number;
    item_id: number;
    article_id: number;
    actor: string;
    event: AuditEvent;
    action: DecisionAction | null;
    label: string | null;
    flag_reason: FlagReason | null;
    note: string | null;
    before: ItemState | null;
    after: ItemState;
    reasons: ReviewReason[];
    at: Date;
  }>(
    `SELECT id, item_id, article_id, actor, event, action, label, flag_reason, note, before,
            after, reasons, at
       FROM review_audit ${where.length ? "WHERE " + where.join(" AND ") : ""}
      ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    articleId: r.article_id,
    actor: r.actor,
    event: r.event,
    action: r.action,
    label: r.label,
    flagReason: r.flag_reason,
    note: r.note,
    before: r.before,
    after: r.after,
    reasons: r.reasons,
    at: new Date(r.at).toISOString(),
  }));
}
