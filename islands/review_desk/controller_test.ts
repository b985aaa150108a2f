import assert from "node:assert/strict";
import type { ApiResult } from "../api.ts";
import { DeskController, type DeskDeps } from "./controller.ts";
import { ALREADY_DECIDED, type DeskState } from "./state.ts";
import { reviewItem } from "./test_items.ts";

type Handler = (method: string, path: string, body?: unknown) => ApiResult<unknown>;
type Override = (method: string, path: string, body?: unknown) => ApiResult<unknown> | undefined;

const ok = (data: unknown): ApiResult<unknown> => ({ ok: true, data });
const stats = { total: 0, byStatus: {}, byReviewer: [] };

/**
 * A desk on a fake API: the claims endpoint gives `held`, each claim the next ids of
 * `queue`, each decision the item as done; `answer`, when it answers, comes first.
 */
function desk(
  options: { held?: number[]; queue?: number[]; answer?: Override; gate?: Promise<void> } = {},
) {
  const queue = [...(options.queue ?? [])];
  const calls: string[] = [];
  const states: DeskState[] = [];
  const sent: string[] = [];
  const handler: Handler = (method, path, body) => {
    const answer = options.answer?.(method, path, body);
    if (answer) return answer;
    if (path === "/v1/review/claims") {
      return ok({ items: (options.held ?? []).map((id) => reviewItem(id)) });
    }
    if (path === "/v1/review/stats") return ok(stats);
    if (path === "/v1/review/claim") {
      const ids = queue.splice(0, (body as { limit: number }).limit);
      return ok({ items: ids.map((id) => reviewItem(id)) });
    }
    const decided = /^\/v1\/review\/items\/(\d+)\/decision$/.exec(path);
    if (decided) return ok(reviewItem(Number(decided[1]), { status: "done" }));
    throw new Error(`unexpected ${method} ${path}`);
  };
  const api = (async (method: string, path: string, body?: unknown) => {
    calls.push(`${method} ${path}${body === undefined ? "" : " " + JSON.stringify(body)}`);
    await Promise.resolve();
    // Decisions can be held up, as a slow network would.
    if (path.endsWith("/decision")) await options.gate;
    return handler(method, path, body);
  }) as DeskDeps["api"];
  const controller = new DeskController({
    flagReasons: ["not_news", "duplicate"],
    onChange: (s) => states.push(s),
    api,
    sendOnExit: (path) => sent.push(path),
    statsDelayMs: 0,
  });
  return { controller, calls, states, sent };
}

/** Lets the requests the desk sent without awaiting them finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const ids = (s: DeskState) => s.entries.map((e) => e.item.id);

Deno.test("DeskController.start() reads the held items, claims up to five ahead and fetches the stats", async () => {
  const { controller, calls, states } = desk({ held: [1], queue: [2, 3, 4] });
  await controller.start();
  assert.deepEqual(calls, [
    "GET /v1/review/claims",
    'POST /v1/review/claim {"limit":5}',
    "GET /v1/review/stats",
  ]);
  assert.deepEqual(ids(controller.state), [1, 2, 3, 4]);
  assert.equal(controller.state.loaded, true);
  assert.deepEqual(controller.state.stats, stats);
  assert.equal(states.at(-1), controller.state);
});

Deno.test("DeskController.decide() moves on at once, then writes, claims one more and counts", async () => {
  let open = () => {};
  const gate = new Promise<void>((r) => open = r);
  const { controller, calls } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], gate });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "flag", flagReason: "duplicate" });
  // The next item is shown before the API has answered.
  assert.equal(controller.state.cursor, 1);
  assert.equal(controller.state.done, 1);
  assert.equal(controller.state.entries[0].pending, true);
  assert.equal(controller.pendingWrites, 1);
  await settle();
  assert.equal(controller.state.entries[0].pending, true, "the write is still out");
  assert.ok(!calls.includes("GET /v1/review/stats"), "no counts while a write is out");
  open();
  await controller.settled();
  await settle();
  assert.deepEqual(calls, [
    'POST /v1/review/claim {"limit":1}',
    'POST /v1/review/items/1/decision {"action":"flag","flagReason":"duplicate"}',
    "GET /v1/review/stats",
  ]);
  assert.equal(controller.state.entries[0].pending, undefined);
  assert.equal(controller.state.entries[0].item.status, "done");
  assert.deepEqual(ids(controller.state), [1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("DeskController.decide() writes quick decisions in order and fetches the counts once", async () => {
  let open = () => {};
  const gate = new Promise<void>((r) => open = r);
  const { controller, calls } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], gate });
  await controller.start();
  calls.length = 0;
  for (let i = 0; i < 4; i++) controller.decide({ action: "accept" });
  assert.equal(controller.state.cursor, 4);
  assert.equal(controller.pendingWrites, 4);
  open();
  await controller.settled();
  await settle();
  assert.deepEqual(
    calls.filter((c) => c.includes("/decision")).map((c) => c.split(" ")[1]),
    [1, 2, 3, 4].map((id) => `/v1/review/items/${id}/decision`),
  );
  assert.equal(calls.filter((c) => c === "GET /v1/review/stats").length, 1);
  assert.deepEqual(controller.state.entries.slice(0, 4).map((e) => e.pending), [
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("DeskController.decide() sends nothing during an undo, or for an item already decided", async () => {
  const undo: Override = (_m, path) =>
    path === "/v1/review/undo"
      ? ok({ item: reviewItem(1), undone: { action: "accept", label: "World" } })
      : undefined;
  const { controller, calls } = desk({ queue: [1, 2, 3], answer: undo });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "accept" });
  const undoing = controller.undo();
  controller.decide({ action: "skip" }); // an undo is on its way: dropped
  await undoing;
  await controller.settled();
  await settle();
  assert.equal(calls.filter((c) => c.includes("/decision")).length, 1);
  controller.move(1);
  controller.decide({ action: "accept" });
  await controller.settled();
  controller.move(1);
  calls.length = 0;
  controller.decide({ action: "accept" });
  await settle();
  assert.deepEqual(calls.filter((c) => c.includes("/decision")), []);
  assert.deepEqual(controller.state.message, { text: ALREADY_DECIDED });
});

Deno.test("DeskController.decide() drops an item whose lease was lost, keeping five ahead", async () => {
  const lost: Override = (_m, path) =>
    path.endsWith("/1/decision")
      ? { ok: false, status: 409, code: "leaseExpired", message: "Your claim expired." }
      : undefined;
  const { controller, calls } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], answer: lost });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "accept" });
  await controller.settled();
  await settle();
  assert.deepEqual(ids(controller.state), [2, 3, 4, 5, 6, 7]);
  assert.equal(controller.state.cursor, 0);
  assert.equal(controller.state.done, 0);
  assert.deepEqual(controller.state.message, { text: "Your claim expired.", error: true });
  assert.ok(calls.includes('POST /v1/review/claim {"limit":1}'));
});

Deno.test("DeskController.decide() gives a failed write's item back to decide again", async () => {
  let fail = true;
  const flaky: Override = (_m, path) =>
    path.endsWith("/1/decision") && fail
      ? { ok: false, status: 0, code: "network", message: "Network error: offline." }
      : undefined;
  const { controller, calls } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], answer: flaky });
  await controller.start();
  controller.decide({ action: "accept" });
  controller.decide({ action: "skip" }); // item 2, written after 1 failed
  await controller.settled();
  await settle();
  assert.equal(controller.state.entries[controller.state.cursor].item.id, 1);
  assert.equal(controller.state.entries[controller.state.cursor].decision, null);
  assert.equal(controller.state.done, 1);
  assert.equal(controller.state.message?.error, true);
  fail = false;
  calls.length = 0;
  controller.decide({ action: "label", label: "Sports" });
  await controller.settled();
  assert.ok(calls.includes('POST /v1/review/items/1/decision {"action":"label","label":"Sports"}'));
  assert.equal(controller.state.done, 2);
});

Deno.test("DeskController.run() picks a label with a digit, or flags with the picker open", async () => {
  const { controller, calls } = desk({ queue: [1, 2, 3] });
  await controller.start();
  controller.run({ kind: "digit", index: 1 });
  assert.equal(controller.state.selected, "Sports");
  controller.run({ kind: "digit", index: 5 }); // no sixth label: nothing changes
  assert.equal(controller.state.selected, "Sports");
  controller.run({ kind: "submit" });
  await controller.settled();
  assert.ok(calls.includes('POST /v1/review/items/1/decision {"action":"label","label":"Sports"}'));
  controller.run({ kind: "flag" });
  assert.equal(controller.state.flagging, true);
  controller.run({ kind: "digit", index: 0 });
  await controller.settled();
  assert.ok(
    calls.includes('POST /v1/review/items/2/decision {"action":"flag","flagReason":"not_news"}'),
  );
  assert.equal(controller.state.cursor, 2);
});

Deno.test("DeskController.undo() brings the last decision's item back under the cursor", async () => {
  const undo: Override = (_m, path) =>
    path === "/v1/review/undo"
      ? ok({ item: reviewItem(1), undone: { action: "skip" } })
      : undefined;
  const { controller, calls } = desk({ queue: [1, 2, 3], answer: undo });
  await controller.start();
  controller.decide({ action: "skip" });
  await controller.undo();
  // The undo went after the decision it undoes.
  const sent = calls.filter((c) => c.startsWith("POST /v1/review/items") || c.includes("undo"));
  assert.deepEqual(sent, [
    'POST /v1/review/items/1/decision {"action":"skip"}',
    "POST /v1/review/undo",
  ]);
  assert.equal(controller.state.cursor, 0);
  assert.equal(controller.state.entries[0].decision, null);
  assert.equal(controller.state.done, 0);
});

Deno.test("DeskController.releaseUndecided() hands back only the items not decided", async () => {
  const { controller, sent } = desk({ queue: [1, 2, 3] });
  await controller.start();
  controller.decide({ action: "accept" });
  await controller.settled();
  controller.releaseUndecided();
  assert.deepEqual(ids(controller.state), [1, 2, 3]);
  assert.deepEqual(sent, ["/v1/review/items/2/release", "/v1/review/items/3/release"]);
});

Deno.test("DeskController.topUp() sends one claim at a time", async () => {
  const { controller, calls } = desk({ held: [], queue: [] });
  const first = controller.topUp();
  await controller.topUp();
  await first;
  assert.equal(calls.filter((c) => c.startsWith("POST /v1/review/claim")).length, 1);
  // Nothing to claim and nothing ahead: the queue is empty.
  assert.equal(controller.state.empty, true);
});
