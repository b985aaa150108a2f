import assert from "node:assert/strict";
import type { ReviewRefusal } from "../../../db/review/mod.ts";
import { AppError } from "../../../lib/errors.ts";
import { orThrow, refusalError } from "./outcomes.ts";

const labels = ["markets", "science", "sport"];

/** Every refusal, with the status, code, message and details the API answers it with. */
const cases: Array<[ReviewRefusal, number, string, string, unknown?]> = [
  [{ kind: "notFound", id: 7 }, 404, "reviewItemNotFound", "No review item 7."],
  [
    { kind: "invalidLabel", label: "cooking", labels },
    422,
    "unknownLabel",
    `"cooking" is not one of the model's labels (markets, science, sport).`,
    [{ path: "label", message: "must be one of: markets, science, sport" }],
  ],
  [
    { kind: "invalidLabel", label: undefined, labels },
    422,
    "unknownLabel",
    "A `label` decision needs a label.",
    [{ path: "label", message: "must be one of: markets, science, sport" }],
  ],
  [
    { kind: "flagReasonRequired" },
    422,
    "flagReasonRequired",
    "A flag needs a flagReason.",
    [{ path: "flagReason", message: "must be one of: not_news, duplicate, wrong_language, other" }],
  ],
  [
    { kind: "leaseExpired", id: 7, expiredAt: "2024-01-01T00:00:00.000Z" },
    409,
    "leaseExpired",
    "Your lease on review item 7 expired at 2024-01-01T00:00:00.000Z; claim it again to decide on it.",
  ],
  [
    { kind: "alreadyDecided", id: 7 },
    409,
    "alreadyDecided",
    "You have already decided on review item 7; undo it to change your decision.",
  ],
  [
    { kind: "notHeld", id: 7, heldByOther: true },
    409,
    "itemNotHeld",
    "Review item 7 is held by another reviewer.",
  ],
  [
    { kind: "notHeld", id: 7, heldByOther: false },
    409,
    "itemNotHeld",
    "Review item 7 is not claimed by you; claim it first.",
  ],
  [{ kind: "nothingToUndo" }, 409, "nothingToUndo", "You have no decision to undo."],
  [
    { kind: "alreadyAdjudicated", id: 7, by: "cy" },
    409,
    "alreadyAdjudicated",
    "Review item 7 was adjudicated by cy; it can no longer be undone.",
  ],
  [
    { kind: "notAwaitingAdjudication", id: 7, status: "done" },
    409,
    "notAwaitingAdjudication",
    "Review item 7 is done, not waiting for adjudication.",
  ],
  [
    { kind: "undoConflict" },
    409,
    "undoConflict",
    "Your decisions changed while undoing; try again.",
  ],
];

Deno.test("refusalError() answers each refusal with its status, code and message", () => {
  for (const [refusal, status, code, message, details] of cases) {
    const err = refusalError(refusal);
    assert.ok(err instanceof AppError);
    assert.deepEqual([err.status, err.code, err.message, err.details], [
      status,
      code,
      message,
      details,
    ]);
  }
});

Deno.test("orThrow() returns an ok outcome without its kind and throws a refusal", () => {
  assert.deepEqual(orThrow({ kind: "ok" as const, item: { id: 1 } }), { item: { id: 1 } });
  assert.throws(
    () => orThrow({ kind: "notHeld", id: 3, heldByOther: true }),
    (err: unknown) => err instanceof AppError && err.status === 409 && err.code === "itemNotHeld",
  );
});
