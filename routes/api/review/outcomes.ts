/**
 * The one place the review queue's refusals become HTTP errors: each kind of
 * outcome db/review/ answers maps to its status, error code and message.
 */
import { FLAG_REASONS, type ReviewRefusal } from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";

/** The HTTP error that says why the review queue refused. */
export function refusalError(r: ReviewRefusal): AppError {
  switch (r.kind) {
    case "notFound":
      return new AppError(404, "reviewItemNotFound", `No review item ${r.id}.`);
    case "invalidLabel":
      return new AppError(
        422,
        "unknownLabel",
        r.label === undefined
          ? "A `label` decision needs a label."
          : `"${r.label}" is not one of the model's labels (${r.labels.join(", ")}).`,
        [{ path: "label", message: `must be one of: ${r.labels.join(", ")}` }],
      );
    case "flagReasonRequired":
      return new AppError(422, "flagReasonRequired", "A flag needs a flagReason.", [
        { path: "flagReason", message: `must be one of: ${FLAG_REASONS.join(", ")}` },
      ]);
    case "leaseExpired":
      return new AppError(
        409,
        "leaseExpired",
        `Your lease on review item ${r.id} expired at ${r.expiredAt}; claim it again to decide on it.`,
      );
    case "alreadyDecided":
      return new AppError(
        409,
        "alreadyDecided",
        `You have already decided on review item ${r.id}; undo it to change your decision.`,
      );
    case "notHeld":
      return new AppError(
        409,
        "itemNotHeld",
        r.heldByOther
          ? `Review item ${r.id} is held by another reviewer.`
          : `Review item ${r.id} is not claimed by you; claim it first.`,
      );
    case "nothingToUndo":
      return new AppError(409, "nothingToUndo", "You have no decision to undo.");
    case "alreadyAdjudicated":
      return new AppError(
        409,
        "alreadyAdjudicated",
        `Review item ${r.id} was adjudicated by ${r.by}; it can no longer be undone.`,
      );
    case "notAwaitingAdjudication":
      return new AppError(
        409,
        "notAwaitingAdjudication",
        `Review item ${r.id} is ${r.status}, not waiting for adjudication.`,
      );
    case "decisionIdReused":
      return new AppError(
        409,
        "decisionIdReused",
        `Decision id ${r.decisionId} is already yours on review item ${r.itemId}.`,
      );
    case "undoConflict":
      return new AppError(409, "undoConflict", "Your decisions changed while undoing; try again.");
  }
}

/**
 * The `ok` outcome, without its `kind`, ready to answer with; any refusal is
 * thrown as its HTTP error.
 */
export function orThrow<O extends { kind: string }>(
  outcome: O | ReviewRefusal,
): Omit<Extract<O, { kind: "ok" }>, "kind"> {
  if (outcome.kind !== "ok") throw refusalError(outcome as ReviewRefusal);
  const { kind: _, ...value } = outcome as Extract<O, { kind: "ok" }>;
  return value;
}
