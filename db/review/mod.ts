/**
 * The review wing's SQL, one concern a module: the vocabulary (types), reading
 * items (items, read), queueing (enqueue, label_issues), claims (claim), decisions and undo
 * (decide), bulk accept and adjudication (bulk), the state machine they share
 * (state) and its outcomes, the audit log (audit), figures (stats), export and
 * shadow mode. Other layers import from here.
 *
 * The state machine answers with outcomes (`{ kind: "ok", ... }` or a refusal
 * such as `{ kind: "notHeld" }`), never HTTP errors: routes map those.
 */
export * from "./types.ts";
export type * from "./outcomes.ts";
export { getReviewItem } from "./items.ts";
export { enqueueReviewItems, type NewReviewItem } from "./enqueue.ts";
export { enqueueLabelIssues, type LabelIssueQueueing, type NewLabelIssue } from "./label_issues.ts";
export {
  adoptHeld,
  claimForDesk,
  claimNext,
  type ClaimOptions,
  closeDesk,
  heldBy,
  releaseItem,
} from "./claim.ts";
export { decide, undoLast } from "./decide.ts";
export { type BatchDecision, decideMany, releaseMany } from "./batch.ts";
export { adjudicate, bulkAccept } from "./bulk.ts";
export * from "./read.ts";
export * from "./stats.ts";
export * from "./export.ts";
export * from "./shadow.ts";
export { agreedArticleIds } from "./agreed.ts";
