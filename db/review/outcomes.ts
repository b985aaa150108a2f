/**
 * What the review state machine answers instead of throwing: `{ kind: "ok", ... }`
 * or the reason it refused. The database layer knows nothing of HTTP; routes
 * turn each refusal into their error response.
 */
import type { DecisionAction, FlagReason, ReviewItem, ReviewStatus } from "./types.ts";

/** No review item with this id. */
export type NotFound = { kind: "notFound"; id: number };
/** A `label` decision without a label, or with one outside the model's label set. */
export type InvalidLabel = { kind: "invalidLabel"; label: string | undefined; labels: string[] };
/** A `flag` decision without a flag reason. */
export type FlagReasonRequired = { kind: "flagReasonRequired" };
/** The reviewer held the item, but their lease ran out at `expiredAt` (ISO 8601). */
export type LeaseExpired = { kind: "leaseExpired"; id: number; expiredAt: string };
/** The reviewer's decision on the item is already in force. */
export type AlreadyDecided = { kind: "alreadyDecided"; id: number };
/** The reviewer does not hold the item: another reviewer does, or nobody does. */
export type NotHeld = { kind: "notHeld"; id: number; heldByOther: boolean };
/** The reviewer has no decision in force. */
export type NothingToUndo = { kind: "nothingToUndo" };
/** The item was adjudicated since; its decisions stand. */
export type AlreadyAdjudicated = { kind: "alreadyAdjudicated"; id: number; by: string };
/** Adjudication of an item whose decisions do not disagree. */
export type NotAwaitingAdjudication = {
  kind: "notAwaitingAdjudication";
  id: number;
  status: ReviewStatus;
};
/** The reviewer's decisions kept changing under an undo (other tabs undoing at once). */
export type UndoConflict = { kind: "undoConflict" };

/** The client's decision id is already stored for this reviewer on another item. */
export type DecisionIdReused = { kind: "decisionIdReused"; decisionId: string; itemId: number };

/** Why a decision itself is unusable, whatever the item's state. */
export type DecisionRefusal = InvalidLabel | FlagReasonRequired;
/** Why a reviewer may not act on an item as its holder. */
export type HoldRefusal = LeaseExpired | AlreadyDecided | NotHeld;

/** Every refusal the review queue can answer. */
export type ReviewRefusal =
  | NotFound
  | DecisionRefusal
  | HoldRefusal
  | NothingToUndo
  | AlreadyAdjudicated
  | NotAwaitingAdjudication
  | UndoConflict
  | DecisionIdReused;

/** `replayed`: the decision was stored before under the same decision id; nothing changed. */
export type DecideOutcome =
  | { kind: "ok"; item: ReviewItem; replayed?: boolean }
  | NotFound
  | DecisionRefusal
  | HoldRefusal
  | DecisionIdReused;

export type ReleaseOutcome = { kind: "ok"; item: ReviewItem } | NotFound | HoldRefusal;

/** What an undo took back. */
export interface Undone {
  action: DecisionAction;
  label: string | null;
  flagReason: FlagReason | null;
}

export type UndoOutcome =
  | { kind: "ok"; item: ReviewItem; undone: Undone }
  | NotFound
  | NothingToUndo
  | AlreadyAdjudicated
  | UndoConflict;

export type AdjudicateOutcome =
  | { kind: "ok"; item: ReviewItem }
  | NotFound
  | DecisionRefusal
  | NotAwaitingAdjudication;
