/**
 * Review queue SQL: queue predictions, claim them on a lease (`FOR UPDATE SKIP
 * LOCKED`, so replicas and tabs never share an item), record decisions, undo,
 * bulk accept and adjudicate. Every change writes `review_audit` in the same
 * transaction.
 *
 * Outcome rule, for an item needing N decisions: once N reviewers have
 * decided, the item is `done` (all chose the same label), `skipped` (all
 * skipped), `flagged` (all flagged) or `needs_adjudication` (anything else).
 * Lease expiry needs no sweeper: an expired `claimed` item is claimable again
 * and reported under the status it would return to.
 */
import { AppError } from "../../lib/errors.ts";
import { applyReviewedTopics } from "../topics.ts";
import type { Db, Queryable } from "../mod.ts";

export const REVIEW_REASONS = [
  "low_confidence",
  "shadow_disagreement",
  "audit",
  "language",
  "manual",
] as const;
export type ReviewReason = typeof REVIEW_REASONS[number];

export const REVIEW_STATUSES = [
  "queued",
  "claimed",
  "labelled",
  "needs_adjudication",
  "done",
  "skipped",
  "flagged",
] as const;
export type ReviewStatus = typeof REVIEW_STATUSES[number];

export const DECISION_ACTIONS = ["accept", "label", "skip", "flag"] as const;
export type DecisionAction = typeof DECISION_ACTIONS[number];

export const FLAG_REASONS = ["not_news", "duplicate", "wrong_language", "other"] as const;
export type FlagReason = typeof FLAG_REASONS[number];

/** The default lease, in seconds (REVIEW_LEASE_SECONDS). */
export const DEFAULT_LEASE_SECONDS = 300;

/** A reviewer's (or adjudicator's) decision on one item. */
export interface Decision {
  action: DecisionAction;
  /** Required for `label`; must be one of the model's labels. Ignored for `accept`. */
  label?: string;
  /** Required for `flag`. */
  flagReason?: FlagReason;
  note?: string;
}

export interface ReviewArticle {
  id: number;
  title: string;
  source: string | null;
  url: string | null;
  language: string | null;
  publishedAt: string;
  /** Present on claims and item detail, not in listings. */
  body?: string;
  summary?: string | null;
}

export interface ReviewItem {
  id: number;
  articleId: number;
  modelVersion: string;
  /** The model's label set: what a reviewer may choose from. */
  labels: string[];
  predictedLabel: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadowVersion: string | null;
  shadowLabel: string | null;
  /** Effective status: a claim whose lease expired reads as `queued`/`labelled`. */
  status: ReviewStatus;
  requiredLabels: number;
  labelCount: number;
  leaseHolder: string | null;
  leaseExpiresAt: string | null;
  finalLabel: string | null;
  finalFlag: FlagReason | null;
  adjudicatedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
  article: ReviewArticle;
}

/** Filters shared by listing, claiming and bulk accept. */
export interface ReviewFilter {
  /** Effective status; listing only (claims and bulk accept take open items). */
  status?: ReviewStatus;
  reason?: ReviewReason;
  /** The predicted label. */
  label?: string;
  source?: string;
  modelVersion?: string;
  language?: string;
  minScore?: number;
  maxScore?: number;
  /** Article publication time ≥ since. */
  since?: string;
  /** Article publication time < until. */
  until?: string;
  /** Items this reviewer has an active decision on (listing only). */
  decidedBy?: string;
}

export type ReviewOrder = "margin" | "oldest" | "newest";

/** SQL for the status an item has now, with expired leases returned to the queue. */
export const EFFECTIVE_STATUS = `(CASE
  WHEN ri.status = 'claimed' AND ri.lease_expires_at <= now()
    THEN (CASE WHEN ri.label_count > 0 THEN 'labelled' ELSE 'queued' END)
  ELSE ri.status END)`;

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

const NOT_DECIDED_BY = (param: string) =>
  `NOT EXISTS (SELECT 1 FROM review_labels l
                WHERE l.item_id = ri.id AND l.reviewer = ${param} AND l.retracted_at IS NULL)`;

/** Appends WHERE clauses for `filter`, numbering parameters after `params`. */
export function filterClauses(filter: ReviewFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll("?", `$${params.length}`));
  };
  if (filter.status !== undefined) add(`${EFFECTIVE_STATUS} = ?`, filter.status);
  if (filter.reason !== undefined) add("? = ANY (ri.reasons)", filter.reason);
  if (filter.label !== undefined) add("ri.predicted_label = ?", filter.label);
  if (filter.source !== undefined) add("a.source = ?", filter.source);
  if (filter.modelVersion !== undefined) add("ri.model_version = ?", filter.modelVersion);
  if (filter.language !== undefined) add("a.language = ?", filter.language);
  if (filter.minScore !== undefined) add("ri.score >= ?", filter.minScore);
  if (filter.maxScore !== undefined) add("ri.score <= ?", filter.maxScore);
  if (filter.since !== undefined) add("a.published_at >= ?::timestamptz", filter.since);
  if (filter.until !== undefined) add("a.published_at < ?::timestamptz", filter.until);
  if (filter.decidedBy !== undefined) {
    params.push(filter.decidedBy);
    where.push(`NOT ${NOT_DECIDED_BY(`$${params.length}`)}`);
  }
  return where;
}

/** Columns of an item view, from `review_items ri JOIN articles a JOIN models m`. */
export const ITEM_COLUMNS = `ri.id, ri.article_id, ri.model_version, m.labels AS model_labels,
  ri.predicted_label, ri.score, ri.scores, ri.margin, ri.reasons, ri.shadow_version,
  ri.shadow_label, ${EFFECTIVE_STATUS} AS status, ri.required_labels, ri.label_count,
  CASE WHEN ri.lease_expires_at > now() THEN ri.lease_holder END AS lease_holder,
  CASE WHEN ri.lease_expires_at > now() THEN ri.lease_expires_at END AS lease_expires_at,
  ri.final_label, ri.final_flag, ri.adjudicated_by, ri.decided_at, ri.created_at, ri.updated_at,
  a.title, a.source, a.url, a.language, a.published_at`;

/** Body and summary too; `to_jsonb` reads the summary whether or not the column exists yet. */
export const ITEM_DETAIL_COLUMNS = `${ITEM_COLUMNS}, a.body, to_jsonb(a) ->> 'summary' AS summary`;

export const ITEM_FROM = `review_items ri
  JOIN articles a ON a.id = ri.article_id
  JOIN models m ON m.version = ri.model_version`;

export interface ItemRow {
  id: number;
  article_id: number;
  model_version: string;
  model_labels: string[];
  predicted_label: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadow_version: string | null;
  shadow_label: string | null;
  status: ReviewStatus;
  required_labels: number;
  label_count: number;
  lease_holder: string | null;
  lease_expires_at: Date | null;
  final_label: string | null;
  final_flag: FlagReason | null;
  adjudicated_by: string | null;
  decided_at: Date | null;
  created_at: Date;
  updated_at: Date;
  title: string;
  source: string | null;
  url: string | null;
  language: string | null;
  published_at: Date;
  body?: string;
  summary?: string | null;
}

const iso = (d: Date | string | null) => d === null ? null : new Date(d).toISOString();

export function toItem(r: ItemRow): ReviewItem {
  return {
    id: r.id,
    articleId: r.article_id,
    modelVersion: r.model_version,
    labels: r.model_labels,
    predictedLabel: r.predicted_label,
    score: r.score,
    scores: r.scores,
    margin: r.margin,
    reasons: r.reasons,
    shadowVersion: r.shadow_version,
    shadowLabel: r.shadow_label,
    status: r.status,
    requiredLabels: r.required_labels,
    labelCount: r.label_count,
    leaseHolder: r.lease_holder,
    leaseExpiresAt: iso(r.lease_expires_at),
    finalLabel: r.final_label,
    finalFlag: r.final_flag,
    adjudicatedBy: r.adjudicated_by,
    decidedAt: iso(r.decided_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    article: {
      id: r.article_id,
      title: r.title,
      source: r.source,
      url: r.url,
      language: r.language,
      publishedAt: iso(r.published_at)!,
      ...(r.body === undefined ? {} : { body: r.body, summary: r.summary ?? null }),
    },
  };
}

/** One item with its article's body, or null. */
export async function getReviewItem(db: Queryable, id: number): Promise<ReviewItem | null> {
  const [row] = await db.query<ItemRow>(
    `SELECT ${ITEM_DETAIL_COLUMNS} FROM ${ITEM_FROM} WHERE ri.id = $1`,
    [id],
  );
  return row ? toItem(row) : null;
}

// ---------------------------------------------------------------- queueing

/** A prediction to queue (routing decided it needs review). */
export interface NewReviewItem {
  articleId: number;
  modelVersion: string;
  predictedLabel: string;
  score: number;
  scores: Record<string, number>;
  margin: number;
  reasons: ReviewReason[];
  shadowVersion?: string | null;
  shadowLabel?: string | null;
  requiredLabels: number;
}

/**
 * Queues items and audits each as `queued` by `actor`, in one statement (run it
 * inside the caller's transaction). With `onlyNew` (routing at ingestion), an
 * article that has ever been queued is left alone; otherwise only an article
 * with an open item is. Returns the ids of the items queued.
 */
export async function enqueueReviewItems(
  tx: Queryable,
  items: readonly NewReviewItem[],
  options: { actor: string; onlyNew: boolean; note?: string },
): Promise<number[]> {
  if (items.length === 0) return [];
  const rows = await tx.query<{ item_id: number }>(
    `WITH ins AS (
       INSERT INTO review_items (article_id, model_version, predicted_label, score, scores, margin,
                                 reasons, shadow_version, shadow_label, required_labels)
       SELECT r.article_id, r.model_version, r.predicted_label, r.score, r.scores, r.margin,
              ARRAY(SELECT jsonb_array_elements_text(r.reasons)), r.shadow_version,
              r.shadow_label, r.required_labels
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, model_version text, predicted_label text,
                score double precision, scores jsonb, margin double precision, reasons jsonb,
                shadow_version text, shadow_label text, required_labels integer)
        WHERE NOT $3::boolean
           OR NOT EXISTS (SELECT 1 FROM review_items x WHERE x.article_id = r.article_id)
       ON CONFLICT (article_id)
          WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication')
          DO NOTHING
       RETURNING id, article_id, reasons, status, required_labels
     )
     INSERT INTO review_audit (item_id, article_id, actor, event, note, after, reasons)
     SELECT id, article_id, $2, 'queued', $4,
            jsonb_build_object('status', status, 'requiredLabels', required_labels), reasons
       FROM ins
     RETURNING item_id`,
    [
      JSON.stringify(items.map((i) => ({
        article_id: i.articleId,
        model_version: i.modelVersion,
        predicted_label: i.predictedLabel,
        score: i.score,
        scores: i.scores,
        margin: i.margin,
        reasons: i.reasons,
        shadow_version: i.shadowVersion ?? null,
        shadow_label: i.shadowLabel ?? null,
        required_labels: i.requiredLabels,
      }))),
      options.actor,
      options.onlyNew,
      options.note ?? null,
    ],
  );
  return rows.map((r) => r.item_id);
}

// ---------------------------------------------------------------- claims

export interface ClaimOptions {
  /** Items to claim (default 1). */
  limit?: number;
  filters?: Omit<ReviewFilter, "status" | "decidedBy">;
  order?: ReviewOrder;
  /** Lease length (default 300 s). */
  leaseSeconds?: number;
}

const ORDER_SQL: Record<ReviewOrder, string> = {
  margin: "ri.margin ASC, ri.id ASC",
  oldest: "ri.id ASC",
  newest: "ri.id DESC",
};

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
              updated_at = now()
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

// ---------------------------------------------------------------- decisions

interface LockedItem {
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

/** The part of an item the audit log records as before/after. */
export interface ItemState {
  status: ReviewStatus;
  labelCount: number;
  finalLabel: string | null;
  finalFlag: string | null;
  leaseHolder: string | null;
}

const stateOf = (r: {
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

async function lockItem(tx: Queryable, id: number): Promise<LockedItem> {
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
  if (!row) throw new AppError(404, "reviewItemNotFound", `No review item ${id}.`);
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

/** The label a decision records, checked against the model's label set (422). */
function decidedLabel(item: LockedItem, d: Decision): string | null {
  if (d.action === "accept") return item.predicted_label;
  if (d.action !== "label") return null;
  if (d.label === undefined || !item.model_labels.includes(d.label)) {
    throw new AppError(
      422,
      "unknownLabel",
      d.label === undefined
        ? "A `label` decision needs a label."
        : `"${d.label}" is not one of the model's labels (${item.model_labels.join(", ")}).`,
      [{ path: "label", message: `must be one of: ${item.model_labels.join(", ")}` }],
    );
  }
  return d.label;
}

function flagOf(d: Decision): FlagReason | null {
  if (d.action !== "flag") return null;
  if (!d.flagReason) {
    throw new AppError(422, "flagReasonRequired", "A flag needs a flagReason.", [
      { path: "flagReason", message: `must be one of: ${FLAG_REASONS.join(", ")}` },
    ]);
  }
  return d.flagReason;
}

/** A decision row to insert as part of {@link settle}. */
interface NewLabel {
  itemId: number;
  reviewer: string;
  action: DecisionAction;
  label: string | null;
  flagReason: FlagReason | null;
  note: string | null;
}

/** The columns of an item that settling changes. */
type SettledRow = Pick<
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
 * that is still open is kept; any other lease ends.
 */
async function settle(
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
       INSERT INTO review_labels (item_id, reviewer, action, label, flag_reason, note)
       SELECT $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::text
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
    ],
  );
  await applyReviewedTopics(tx, [...new Set(rows.map((r) => r.article_id))]);
  return new Map(rows.map((r) => [r.id, r]));
}

interface AuditEntry {
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

function auditRows(entries: ReadonlyArray<Omit<AuditEntry, "after"> & { after?: ItemState }>) {
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

async function audit(tx: Queryable, entries: AuditEntry[]): Promise<void> {
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

/** Throws the 409 that says why `reviewer` may not decide on `item` now. */
async function assertHeld(tx: Queryable, item: LockedItem, reviewer: string): Promise<void> {
  if (item.status === "claimed" && item.lease_holder === reviewer) {
    if (!item.expired) return;
    throw new AppError(
      409,
      "leaseExpired",
      `Your lease on review item ${item.id} expired at ${
        new Date(item.lease_expires_at!).toISOString()
      }; claim it again to decide on it.`,
    );
  }
  const [mine] = await tx.query(
    "SELECT 1 FROM review_labels WHERE item_id = $1 AND reviewer = $2 AND retracted_at IS NULL",
    [item.id, reviewer],
  );
  if (mine) {
    throw new AppError(
      409,
      "alreadyDecided",
      `You have already decided on review item ${item.id}; undo it to change your decision.`,
    );
  }
  throw new AppError(
    409,
    "itemNotHeld",
    item.status === "claimed" && !item.expired
      ? `Review item ${item.id} is held by another reviewer.`
      : `Review item ${item.id} is not claimed by you; claim it first.`,
  );
}

/**
 * Records `reviewer`'s decision on an item they hold on a live lease, ends the
 * lease and settles the item. 404 for an unknown item, 422 for a label outside
 * the model's label set, 409 when the item is not held by `reviewer` or the
 * lease expired.
 */
export async function decide(
  db: Db,
  reviewer: string,
  itemId: number,
  decision: Decision,
): Promise<ReviewItem> {
  return await db.transaction(async (tx) => {
    const item = await lockItem(tx, itemId);
    const label = decidedLabel(item, decision);
    const flag = flagOf(decision);
    await assertHeld(tx, item, reviewer);
    const after = await settle(tx, [itemId], reviewer, {
      newLabel: {
        itemId,
        reviewer,
        action: decision.action,
        label,
        flagReason: flag,
        note: decision.note ?? null,
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
    return toItem({ ...item.view, ...after.get(itemId)! });
  });
}

/** Gives up `reviewer`'s live lease on an item (409 when they do not hold it). */
export async function releaseItem(db: Db, reviewer: string, itemId: number): Promise<ReviewItem> {
  return await db.transaction(async (tx) => {
    const item = await lockItem(tx, itemId);
    await assertHeld(tx, item, reviewer);
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
    return toItem({ ...item.view, ...after.get(itemId)! });
  });
}

/** What an undo took back. */
export interface UndoResult {
  item: ReviewItem;
  undone: { action: DecisionAction; label: string | null; flagReason: FlagReason | null };
}

/**
 * Takes back `reviewer`'s most recent decision in force (the decision row is
 * kept, marked retracted, and the undo audited). The item is settled again
 * and, when open and not held by anyone else, leased back to `reviewer` so
 * they can decide again. 409 when there is nothing to undo or the item has
 * since been adjudicated.
 */
export async function undoLast(
  db: Db,
  reviewer: string,
  options: { leaseSeconds?: number } = {},
): Promise<UndoResult> {
  const result = await db.transaction(async (tx) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const [last] = await tx.query<
        {
          id: number;
          item_id: number;
          action: DecisionAction;
          label: string | null;
          flag_reason: FlagReason | null;
        }
      >(
        `SELECT id, item_id, action, label, flag_reason FROM review_labels
          WHERE reviewer = $1 AND retracted_at IS NULL ORDER BY id DESC LIMIT 1`,
        [reviewer],
      );
      if (!last) throw new AppError(409, "nothingToUndo", "You have no decision to undo.");
      const item = await lockItem(tx, last.item_id);
      if (item.adjudicated_by !== null) {
        throw new AppError(
          409,
          "alreadyAdjudicated",
          `Review item ${item.id} was adjudicated by ${item.adjudicated_by}; it can no longer be undone.`,
        );
      }
      const retracted = await tx.query(
        "UPDATE review_labels SET retracted_at = now() WHERE id = $1 AND retracted_at IS NULL RETURNING id",
        [last.id],
      );
      if (retracted.length === 0) continue; // undone concurrently (another tab): look again
      let after = stateOf((await settle(tx, [item.id], reviewer)).get(item.id)!);
      if (after.status === "queued" || after.status === "labelled") {
        const [row] = await tx.query<ItemRow>(
          `UPDATE review_items SET status = 'claimed', lease_holder = $2,
                  lease_expires_at = now() + make_interval(secs => $3::double precision)
            WHERE id = $1
           RETURNING status, label_count, final_label, final_flag, lease_holder`,
          [item.id, reviewer, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS],
        );
        after = stateOf(row);
      }
      await audit(tx, [{
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
      return { itemId: item.id, undone: last };
    }
    throw new AppError(409, "undoConflict", "Your decisions changed while undoing; try again.");
  });
  return {
    item: (await getReviewItem(db, result.itemId))!,
    undone: {
      action: result.undone.action,
      label: result.undone.label,
      flagReason: result.undone.flag_reason,
    },
  };
}

/**
 * Settles an item whose decisions disagree (`needs_adjudication`, else 409)
 * with `actor`'s decision, which becomes the outcome.
 */
export async function adjudicate(
  db: Db,
  actor: string,
  itemId: number,
  decision: Decision,
): Promise<ReviewItem> {
  await db.transaction(async (tx) => {
    const item = await lockItem(tx, itemId);
    const label = decidedLabel(item, decision);
    const flag = flagOf(decision);
    if (item.status !== "needs_adjudication") {
      throw new AppError(
        409,
        "notAwaitingAdjudication",
        `Review item ${itemId} is ${item.status}, not waiting for adjudication.`,
      );
    }
    const status = label !== null ? "done" : flag !== null ? "flagged" : "skipped";
    const [row] = await tx.query<ItemRow>(
      `UPDATE review_items SET status = $2, final_label = $3, final_flag = $4,
              adjudicated_by = $5, decided_at = now(), updated_at = now()
        WHERE id = $1
       RETURNING status, label_count, final_label, final_flag, lease_holder`,
      [itemId, status, label, flag, actor],
    );
    await applyReviewedTopics(tx, [item.article_id]);
    await audit(tx, [{
      itemId,
      articleId: item.article_id,
      actor,
      event: "adjudicated",
      action: decision.action,
      label,
      flagReason: flag,
      note: decision.note,
      before: stateOf(item),
      after: stateOf(row),
      reasons: item.reasons,
    }]);
  });
  return (await getReviewItem(db, itemId))!;
}

/** Filters of a bulk accept (open items only). */
export type BulkFilter = Omit<ReviewFilter, "status" | "decidedBy">;

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
