import assert from "node:assert/strict";
import { reviewItem } from "../../testing/islands/review_desk/test_items.ts";
import type { Decision } from "./text.ts";
import {
  ALREADY_DECIDED,
  type DeskAction,
  type DeskState,
  initialDeskState,
  reviewDeskReducer,
} from "./state.ts";

function run(...actions: DeskAction[]): DeskState {
  return actions.reduce(reviewDeskReducer, initialDeskState);
}

const held = (...ids: number[]): DeskAction => ({
  type: "held",
  items: ids.map((id) => reviewItem(id)),
});

Deno.test("reviewDeskReducer() starts loading, with nothing held", () => {
  assert.equal(initialDeskState.loaded, false);
  assert.deepEqual(initialDeskState.entries, []);
});

Deno.test("reviewDeskReducer() holds the items already claimed on arrival, undecided, and is loaded", () => {
  const s = run(held(1, 2));
  assert.equal(s.loaded, true);
  assert.deepEqual(s.entries.map((e) => [e.item.id, e.decision]), [[1, null], [2, null]]);
  assert.equal(s.cursor, 0);
  assert.equal(s.message, null);
});

Deno.test("reviewDeskReducer() shows why the held items could not be read, and holds none", () => {
  const s = run({ type: "held", items: [], error: "Network error: down" });
  assert.equal(s.loaded, true);
  assert.deepEqual(s.entries, []);
  assert.deepEqual(s.message, { text: "Network error: down", error: true });
});

Deno.test("reviewDeskReducer() adds claimed items after the session's, skipping those it has", () => {
  const s = run(held(1), {
    type: "claimed",
    items: [reviewItem(1), reviewItem(2), reviewItem(3)],
    ahead: 1,
  });
  assert.deepEqual(s.entries.map((e) => e.item.id), [1, 2, 3]);
  assert.equal(s.empty, false);
});

Deno.test("reviewDeskReducer() marks the queue empty when a claim finds nothing and nothing is ahead", () => {
  const s = run(held(), { type: "claimed", items: [], ahead: 0 });
  assert.equal(s.empty, true);
  // Something claimed later fills it again.
  const refilled = reviewDeskReducer(s, { type: "claimed", items: [reviewItem(9)], ahead: 0 });
  assert.equal(refilled.empty, false);
  assert.deepEqual(refilled.entries.map((e) => e.item.id), [9]);
});

Deno.test("reviewDeskReducer() keeps a claim that found nothing new quiet while items lie ahead", () => {
  const before = run(held(1));
  const s = reviewDeskReducer(before, { type: "claimed", items: [reviewItem(1)], ahead: 1 });
  assert.equal(s, before);
  assert.equal(s.empty, false);
});

Deno.test("reviewDeskReducer() records a decision at once, pending, and moves to the next item", () => {
  const s = run(held(1, 2), { type: "select", label: "Sports" }, {
    type: "decided",
    item: reviewItem(1),
    decision: { action: "accept" },
  });
  // An accept is recorded with the model's label, before the API has answered.
  assert.deepEqual(s.entries[0].decision, { action: "accept", label: "World" });
  assert.equal(s.entries[0].pending, true);
  assert.equal(s.entries[0].item.status, "claimed");
  assert.equal(s.entries[1].decision, null);
  assert.equal(s.cursor, 1);
  assert.equal(s.done, 1);
  assert.equal(s.busy, false);
  assert.equal(s.selected, null);
  assert.deepEqual(s.message, { text: "#1 accepted World." });
  // The API's answer is merged in later, wherever the cursor is by then.
  const saved = reviewDeskReducer(reviewDeskReducer(s, { type: "move", to: 2 }), {
    type: "saved",
    itemId: 1,
    update: reviewItem(1, { status: "done", finalLabel: "World" }),
  });
  assert.equal(saved.entries[0].item.status, "done");
  assert.equal(saved.entries[0].pending, undefined);
  assert.deepEqual(saved.entries[0].decision, { action: "accept", label: "World" });
  assert.equal(saved.cursor, 2);
  assert.equal(saved.done, 1);
});

Deno.test("reviewDeskReducer() takes decisions one after another without waiting", () => {
  const decide = (id: number): DeskAction => ({
    type: "decided",
    item: reviewItem(id),
    decision: { action: "skip" },
  });
  const s = run(held(1, 2, 3), decide(1), decide(2), decide(3));
  assert.equal(s.cursor, 3);
  assert.equal(s.done, 3);
  assert.deepEqual(s.entries.map((e) => e.pending), [true, true, true]);
});

Deno.test("reviewDeskReducer() describes a relabel, a flag and a skip", () => {
  const decide = (decision: Decision) =>
    run(held(1), { type: "decided", item: reviewItem(1), decision }).message?.text;
  assert.equal(decide({ action: "label", label: "Sports" }), "#1 labelled Sports.");
  assert.equal(decide({ action: "flag", flagReason: "not_news" }), "#1 flagged: not news.");
  assert.equal(decide({ action: "skip" }), "#1 skipped.");
});

Deno.test("reviewDeskReducer() moves past the last item into the end of the session after deciding it", () => {
  const s = run(held(1), { type: "decided", item: reviewItem(1), decision: { action: "skip" } });
  assert.equal(s.cursor, 1);
  assert.equal(s.entries.length, 1);
  assert.equal(s.entries[s.cursor], undefined);
});

Deno.test("reviewDeskReducer() drops an item whose lease was lost (409 or 404) and shows the error", () => {
  for (const status of [409, 404]) {
    const s = run(
      held(1, 2, 3),
      { type: "decided", item: reviewItem(1), decision: { action: "accept" } },
      { type: "toggleFlagging" },
      { type: "decideFailed", itemId: 1, status, message: "Your claim on item 1 has expired." },
    );
    assert.deepEqual(s.entries.map((e) => e.item.id), [2, 3]);
    // The reviewer stays on the item they were looking at.
    assert.equal(s.cursor, 0);
    assert.equal(s.done, 0);
    assert.equal(s.flagging, false);
    assert.deepEqual(s.message, { text: "Your claim on item 1 has expired.", error: true });
  }
});

Deno.test("reviewDeskReducer() gives the item of any other failed write back at the cursor", () => {
  const decide = (id: number): DeskAction => ({
    type: "decided",
    item: reviewItem(id),
    decision: { action: "label", label: "Sports" },
  });
  // Items 1 and 2 decided; the reviewer is on 3 when 1's write fails.
  const s = run(held(1, 2, 3, 4), decide(1), decide(2), { type: "select", label: "World" }, {
    type: "decideFailed",
    itemId: 1,
    status: 0,
    message: "Network error: offline.",
  });
  assert.deepEqual(s.entries.map((e) => [e.item.id, e.decision?.action ?? null]), [
    [2, "label"],
    [1, null],
    [3, null],
    [4, null],
  ]);
  assert.equal(s.cursor, 1, "the failed item is shown, ahead of the one that was");
  assert.equal(s.entries[1].pending, undefined);
  assert.equal(s.done, 1);
  assert.equal(s.selected, null);
  assert.deepEqual(s.message, {
    text: "Network error: offline. #1 is back: decide it again.",
    error: true,
  });
  // At the end of the session it comes back as the last item, shown.
  const end = run(held(1), decide(1), {
    type: "decideFailed",
    itemId: 1,
    status: 500,
    message: "Internal error.",
  });
  assert.deepEqual([end.cursor, end.entries.length, end.entries[0].decision], [0, 1, null]);
});

Deno.test("reviewDeskReducer() undoes a decision: the item is undecided again and under the cursor", () => {
  const decidedState = run(held(1, 2), {
    type: "decided",
    item: reviewItem(1),
    decision: { action: "flag", flagReason: "duplicate" },
  }, {
    type: "saved",
    itemId: 1,
    update: reviewItem(1, { status: "flagged", finalFlag: "duplicate" }),
  });
  const s = reviewDeskReducer({ ...decidedState, busy: true, selected: "Sports" }, {
    type: "undone",
    item: reviewItem(1, { status: "claimed" }),
    undone: { action: "flag", flagReason: "duplicate" },
  });
  assert.equal(s.cursor, 0);
  assert.equal(s.entries[0].decision, null);
  assert.equal(s.entries[0].item.status, "claimed");
  assert.equal(s.entries.length, 2);
  assert.equal(s.done, 0);
  assert.equal(s.busy, false);
  assert.equal(s.selected, null);
  assert.deepEqual(s.message, { text: "Undid: #1 flagged: duplicate. It is yours again." });
});

Deno.test("reviewDeskReducer() puts an undone item this session never had at the cursor", () => {
  const s = run(held(1, 2), { type: "move", to: 1 }, {
    type: "undone",
    item: reviewItem(7),
    undone: { action: "accept", label: "World" },
  });
  assert.deepEqual(s.entries.map((e) => e.item.id), [1, 7, 2]);
  assert.equal(s.cursor, 1);
  // The count of this session's decisions never goes below zero.
  assert.equal(s.done, 0);
});

Deno.test("reviewDeskReducer() treats nothing to undo as news, and other undo failures as errors", () => {
  const nothing = run({ type: "busy" }, {
    type: "undoFailed",
    code: "nothingToUndo",
    message: "You have no decision to undo.",
  });
  assert.deepEqual(nothing.message, { text: "You have no decision to undo.", error: false });
  assert.equal(nothing.busy, false);
  const failed = run({ type: "undoFailed", code: "network", message: "Network error: x" });
  assert.equal(failed.message?.error, true);
});

Deno.test("reviewDeskReducer() moves within [0, the end of the session] and clears the pick", () => {
  const s = run(held(1, 2), { type: "select", label: "Sports" }, { type: "toggleFlagging" });
  assert.equal(s.selected, "Sports");
  assert.equal(s.flagging, true);
  const forward = reviewDeskReducer(s, { type: "move", to: 5 });
  assert.equal(forward.cursor, 2);
  assert.equal(forward.selected, null);
  assert.equal(forward.flagging, false);
  assert.equal(reviewDeskReducer(s, { type: "move", to: -1 }).cursor, 0);
});

Deno.test("reviewDeskReducer() cancels the pick and the flag picker on Escape", () => {
  const s = run(held(1), { type: "select", label: "Sports" }, { type: "toggleFlagging" }, {
    type: "cancel",
  });
  assert.equal(s.selected, null);
  assert.equal(s.flagging, false);
  assert.equal(reviewDeskReducer(s, { type: "toggleFlagging" }).flagging, true);
});

Deno.test("reviewDeskReducer() shows a notice without marking it an error", () => {
  const s = run({ type: "notice", text: ALREADY_DECIDED });
  assert.deepEqual(s.message, { text: ALREADY_DECIDED });
});
