import assert from "node:assert/strict";
import {
  AHEAD,
  BURST_AHEAD,
  claimWant,
  decisionBody,
  heldCount,
  queueCounts,
  saveStatus,
  submitDecision,
} from "./selectors.ts";
import { type DeskState, initialDeskState } from "./state.ts";
import { reviewItem } from "../../testing/islands/review_desk/test_items.ts";

const entries = [
  { item: reviewItem(1), decision: { action: "skip" as const } },
  { item: reviewItem(2), decision: null },
  { item: reviewItem(3), decision: null },
];

Deno.test("claimWant() claims up to the current item plus AHEAD undecided ones", () => {
  assert.deepEqual(claimWant([], 0), { ahead: 0, want: 1 + AHEAD });
  assert.deepEqual(claimWant(entries, 0), { ahead: 2, want: AHEAD - 1 });
  assert.deepEqual(claimWant(entries, 3), { ahead: 0, want: 1 + AHEAD });
  const many = Array.from({ length: 1 + AHEAD }, (_, i) => ({
    item: reviewItem(10 + i),
    decision: null,
  }));
  assert.deepEqual(claimWant([...entries, ...many], 0), { ahead: 2 + many.length, want: -2 });
});

Deno.test("claimWant() keeps more ahead when asked to (a burst of keys)", () => {
  assert.deepEqual(claimWant([], 0, BURST_AHEAD), { ahead: 0, want: 1 + BURST_AHEAD });
  assert.deepEqual(claimWant(entries, 0, BURST_AHEAD), { ahead: 2, want: BURST_AHEAD - 1 });
});

Deno.test("heldCount() counts the undecided items of the session", () => {
  assert.equal(heldCount(entries), 2);
});

Deno.test("submitDecision() accepts the model's label unless another one is picked", () => {
  const state: DeskState = { ...initialDeskState, entries, cursor: 1 };
  assert.deepEqual(submitDecision(state), { action: "accept" });
  assert.deepEqual(submitDecision({ ...state, selected: "World" }), { action: "accept" });
  assert.deepEqual(submitDecision({ ...state, selected: "Sports" }), {
    action: "label",
    label: "Sports",
  });
  assert.equal(submitDecision({ ...state, cursor: 3 }), null);
});

Deno.test("decisionBody() sends the label only with a relabel and the reason only with a flag", () => {
  assert.deepEqual(decisionBody({ action: "accept", label: "World" }), { action: "accept" });
  assert.deepEqual(decisionBody({ action: "label", label: "Sports" }), {
    action: "label",
    label: "Sports",
  });
  assert.deepEqual(decisionBody({ action: "flag", flagReason: "other", label: "x" }), {
    action: "flag",
    flagReason: "other",
  });
});

Deno.test("queueCounts() sums open and finished statuses, and waits for the stats", () => {
  assert.equal(queueCounts(null), null);
  const byStatus = { queued: 5, claimed: 2, labelled: 1, done: 3, skipped: 1, flagged: 1 };
  assert.deepEqual(queueCounts({ total: 13, byStatus, byReviewer: [] }), {
    open: 8,
    finished: 5,
  });
});

Deno.test("saveStatus() says what is pending and saved, and when the server is away", () => {
  const s = { pending: 0, saved: 0, recovered: 0, offline: false };
  assert.equal(saveStatus(s), "");
  assert.equal(saveStatus({ ...s, saved: 12 }), "All saved: 12");
  assert.equal(saveStatus({ ...s, pending: 3, saved: 9 }), "3 pending · 9 saved");
  assert.equal(
    saveStatus({ ...s, pending: 3, saved: 9, offline: true }),
    "3 pending · server unreachable, retrying · 9 saved",
  );
  assert.equal(
    saveStatus({ ...s, saved: 4, recovered: 2 }),
    "All saved: 4 (2 from your last visit)",
  );
});
