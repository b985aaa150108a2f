import assert from "node:assert/strict";
import type { ApiResult } from "../api.ts";
import { DeskController, type DeskDeps } from "./controller.ts";
import { outboxKey, type OutgoingDecision } from "./outbox.ts";
import { ALREADY_DECIDED, type DeskState } from "./state.ts";
import { reviewItem } from "../../testing/islands/review_desk/test_items.ts";

type Override = (method: string, path: string, body?: unknown) => ApiResult<unknown> | undefined;
type Refusal = { status: number; message: string };

const ok = (data: unknown): ApiResult<unknown> => ({ ok: true, data });
const stats = { total: 0, byStatus: {}, byReviewer: [] };
const DOWN: ApiResult<unknown> = {
  ok: false,
  status: 0,
  code: "network",
  message: "Network error: offline.",
};

/** A Storage in memory. */
function memoryStorage(): Pick<Storage, "getItem" | "setItem"> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
  };
}

/**
 * A desk on a fake API: the claims endpoint gives `held`, each claim the next ids of
 * `queue`, each batch of decisions stores them (`stored`: the decision ids, once
 * each) unless `refuse` refuses one or `down()` says the server is away; `answer`,
 * when it answers, comes first. `gate` holds decision batches up, as a slow network.
 */
function desk(
  options: {
    held?: number[];
    queue?: number[];
    answer?: Override;
    gate?: Promise<void>;
    refuse?: (itemId: number) => Refusal | undefined;
    down?: () => boolean;
    storage?: ReturnType<typeof memoryStorage>;
  } = {},
) {
  const queue = [...(options.queue ?? [])];
  const calls: string[] = [];
  const states: DeskState[] = [];
  const sent: Array<{ path: string; body: unknown }> = [];
  const stored = new Set<string>();
  let n = 0;
  const handler = (method: string, path: string, body?: unknown): ApiResult<unknown> => {
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
    if (path === "/v1/review/decisions") {
      if (options.down?.()) return DOWN;
      const { decisions } = body as { decisions: OutgoingDecision[] };
      return ok({
        results: decisions.map((d) => {
          const refusal = options.refuse?.(d.itemId);
          if (refusal) return { ...d, ok: false, code: "x", ...refusal };
          stored.add(d.decisionId);
          return { ...d, ok: true, item: reviewItem(d.itemId, { status: "done" }) };
        }),
      });
    }
    throw new Error(`unexpected ${method} ${path}`);
  };
  const api = (async (method: string, path: string, body?: unknown) => {
    const items = (body as { decisions?: OutgoingDecision[] })?.decisions;
    calls.push(
      items
        ? `${method} ${path} ${items.map((d) => `${d.itemId}:${d.action}`).join(",")}`
        : `${method} ${path}${body === undefined ? "" : " " + JSON.stringify(body)}`,
    );
    await Promise.resolve();
    if (path === "/v1/review/decisions") await options.gate;
    return handler(method, path, body);
  }) as DeskDeps["api"];
  const storage = options.storage ?? memoryStorage();
  const controller = new DeskController({
    reviewer: "ann",
    flagReasons: ["not_news", "duplicate"],
    onChange: (s) => states.push(s),
    api,
    sendOnExit: (path, body) => sent.push({ path, body }),
    storage,
    newId: () => `id-${++n}`,
    statsDelayMs: 0,
    retryMs: 1,
  });
  return { controller, calls, states, sent, stored, storage };
}

/** Lets the requests the desk sent without awaiting them finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const ids = (s: DeskState) => s.entries.map((e) => e.item.id);

Deno.test("DeskController.start() reads the held items, claims up to five ahead and fetches the stats", async () => {
  const { controller, calls, states } = desk({ held: [1], queue: [2, 3, 4] });
  await controller.start();
  assert.deepEqual(calls, [
    'POST /v1/review/claims {"desk":"id-1"}',
    'POST /v1/review/claim {"limit":5,"desk":"id-1"}',
    "GET /v1/review/stats",
  ]);
  assert.deepEqual(ids(controller.state), [1, 2, 3, 4]);
  assert.equal(controller.state.loaded, true);
  assert.deepEqual(controller.state.stats, stats);
  assert.equal(states.at(-1), controller.state);
});

Deno.test("DeskController.decide() moves on at once, keeps the decision, then writes it with its id", async () => {
  let open = () => {};
  const gate = new Promise<void>((r) => open = r);
  const { controller, calls, storage, stored } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], gate });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "flag", flagReason: "duplicate" });
  // The next item is shown before the API has answered, and the decision is stored.
  assert.equal(controller.state.cursor, 1);
  assert.equal(controller.state.done, 1);
  assert.equal(controller.state.entries[0].pending, true);
  assert.equal(controller.state.pending, 1);
  assert.deepEqual(JSON.parse(storage.map.get(outboxKey("ann"))!), [
    { decisionId: "id-2", itemId: 1, action: "flag", flagReason: "duplicate" },
  ]);
  await settle();
  assert.equal(controller.state.entries[0].pending, true, "the write is still out");
  assert.ok(!calls.includes("GET /v1/review/stats"), "no counts while a write is out");
  open();
  await controller.settled();
  await settle();
  assert.deepEqual(calls, [
    'POST /v1/review/claim {"limit":1,"desk":"id-1"}',
    "POST /v1/review/decisions 1:flag",
    "GET /v1/review/stats",
  ]);
  assert.deepEqual([...stored], ["id-2"]);
  assert.equal(controller.state.entries[0].item.status, "done");
  assert.deepEqual([controller.state.pending, controller.state.saved], [0, 1]);
  assert.equal(storage.map.get(outboxKey("ann")), "[]");
  assert.deepEqual(ids(controller.state), [1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("DeskController.decide() sends quick decisions in order, in batches, and counts once", async () => {
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
  // The first went alone; the three made while it was out went together after it.
  assert.deepEqual(calls.filter((c) => c.includes("/decisions")), [
    "POST /v1/review/decisions 1:accept",
    "POST /v1/review/decisions 2:accept,3:accept,4:accept",
  ]);
  assert.equal(calls.filter((c) => c === "GET /v1/review/stats").length, 1);
  assert.equal(controller.state.saved, 4);
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
  assert.equal(calls.filter((c) => c.includes("/decisions")).length, 1);
  controller.move(1);
  controller.decide({ action: "accept" });
  await controller.settled();
  controller.move(1);
  calls.length = 0;
  controller.decide({ action: "accept" });
  await settle();
  assert.deepEqual(calls.filter((c) => c.includes("/decisions")), []);
  assert.deepEqual(controller.state.message, { text: ALREADY_DECIDED });
});

Deno.test("DeskController.decide() drops an item whose lease was lost, lists it, keeps five ahead", async () => {
  const refuse = (id: number) =>
    id === 1 ? { status: 409, message: "Your claim expired." } : undefined;
  const { controller, calls } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], refuse });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "accept" });
  await controller.settled();
  await settle();
  assert.deepEqual(ids(controller.state), [2, 3, 4, 5, 6, 7]);
  assert.equal(controller.state.cursor, 0);
  assert.equal(controller.state.done, 0);
  assert.deepEqual(controller.state.message, { text: "Your claim expired.", error: true });
  assert.deepEqual(controller.state.refused, [{ itemId: 1, message: "Your claim expired." }]);
  assert.equal(controller.state.pending, 0);
  assert.ok(calls.includes('POST /v1/review/claim {"limit":1,"desk":"id-1"}'));
});

Deno.test("DeskController.decide() gives a refused decision's item back to decide again", async () => {
  const refuse = (id: number) =>
    id === 1 ? { status: 422, message: "Not one of the labels." } : undefined;
  const { controller } = desk({ queue: [1, 2, 3, 4, 5, 6, 7, 8], refuse });
  await controller.start();
  controller.decide({ action: "accept" });
  controller.decide({ action: "skip" }); // item 2, written after 1 was refused
  await controller.settled();
  await settle();
  assert.equal(controller.state.entries[controller.state.cursor].item.id, 1);
  assert.equal(controller.state.entries[controller.state.cursor].decision, null);
  assert.equal(controller.state.done, 1);
  assert.equal(controller.state.message?.error, true);
  assert.deepEqual(controller.state.refused, []);
});

Deno.test("DeskController keeps decisions made while the server is away and sends them when it is back", async () => {
  let down = true;
  const { controller, calls, stored, storage } = desk({
    queue: [1, 2, 3, 4, 5, 6, 7, 8],
    down: () => down,
  });
  await controller.start();
  controller.decide({ action: "accept" });
  controller.decide({ action: "skip" });
  await settle();
  // Nothing comes back: the decisions stay decided here, and stored.
  assert.deepEqual(controller.state.entries.slice(0, 2).map((e) => e.decision?.action), [
    "accept",
    "skip",
  ]);
  assert.equal(controller.state.pending, 2);
  assert.equal(controller.state.offline, true);
  assert.equal(controller.hasUnsaved(), true);
  assert.equal(JSON.parse(storage.map.get(outboxKey("ann"))!).length, 2);
  // Tries again, and again, until the server answers.
  while (calls.filter((c) => c.includes("/decisions")).length < 3) await settle();
  down = false;
  await controller.settled();
  assert.deepEqual([...stored], ["id-2", "id-3"]);
  assert.deepEqual(
    [controller.state.pending, controller.state.saved, controller.state.offline],
    [0, 2, false],
  );
  assert.equal(controller.hasUnsaved(), false);
  assert.equal(controller.state.done, 2);
});

Deno.test("DeskController.leave() sends the unsaved decisions and gives back the undecided items in one request", async () => {
  const gate = new Promise<void>(() => {}); // the server never answers this page
  const { controller, sent } = desk({ queue: [1, 2, 3], gate });
  await controller.start();
  controller.decide({ action: "accept" });
  controller.decide({ action: "label", label: "Sports" });
  controller.leave();
  assert.deepEqual(sent, [{
    path: "/v1/review/decisions",
    body: {
      decisions: [
        { decisionId: "id-2", itemId: 1, action: "accept" },
        { decisionId: "id-3", itemId: 2, action: "label", label: "Sports" },
      ],
      release: [3],
      releaseDesk: "id-1",
    },
  }]);
  assert.equal(controller.hasUnsaved(), true, "kept until an answer is read");
});

Deno.test("DeskController.start() sends an earlier visit's decisions first, and reports what they came to", async () => {
  const storage = memoryStorage();
  const earlier = desk({ queue: [1, 2, 3], gate: new Promise<void>(() => {}), storage });
  await earlier.controller.start();
  earlier.controller.decide({ action: "accept" });
  earlier.controller.decide({ action: "skip" });
  earlier.controller.leave(); // that request was lost
  // Next load: item 1's decision is stored once; item 2 was taken by another meanwhile.
  const refuse = (id: number) =>
    id === 2 ? { status: 409, message: "Review item 2 is held by another reviewer." } : undefined;
  const next = desk({ held: [1, 3], queue: [4], refuse, storage });
  await next.controller.start();
  assert.deepEqual(next.calls.slice(0, 2), [
    "POST /v1/review/decisions 1:accept,2:skip",
    'POST /v1/review/claims {"desk":"id-1"}',
  ]);
  assert.deepEqual([...next.stored], ["id-2"]);
  const s = next.controller.state;
  assert.deepEqual([s.saved, s.recovered, s.pending], [1, 1, 0]);
  assert.deepEqual(s.refused, [{
    itemId: 2,
    message: "Review item 2 is held by another reviewer.",
  }]);
  assert.deepEqual(ids(s), [1, 3, 4]);
  next.controller.dispatch({ type: "dismissRefused" });
  assert.deepEqual(next.controller.state.refused, []);
});

Deno.test("DeskController.start() does not show as held an item the outbox still decides", async () => {
  const storage = memoryStorage();
  storage.setItem(
    outboxKey("ann"),
    JSON.stringify([{ decisionId: "old-1", itemId: 1, action: "accept" }]),
  );
  const { controller } = desk({ held: [1, 2], queue: [], storage, down: () => true });
  await controller.start();
  assert.deepEqual(ids(controller.state), [2]);
  assert.equal(controller.state.pending, 1);
  controller.stop();
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
  assert.ok(calls.includes("POST /v1/review/decisions 1:label"));
  controller.run({ kind: "flag" });
  assert.equal(controller.state.flagging, true);
  controller.run({ kind: "digit", index: 0 });
  await controller.settled();
  assert.ok(calls.includes("POST /v1/review/decisions 2:flag"));
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
  const sent = calls.filter((c) => c.includes("/decisions") || c.includes("undo"));
  assert.deepEqual(sent, ["POST /v1/review/decisions 1:skip", "POST /v1/review/undo"]);
  assert.equal(controller.state.cursor, 0);
  assert.equal(controller.state.entries[0].decision, null);
  assert.equal(controller.state.done, 0);
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

Deno.test("DeskController claims further ahead while decisions come in a burst", async () => {
  const queue = Array.from({ length: 30 }, (_, i) => i + 1);
  const { controller, calls } = desk({ queue });
  await controller.start();
  calls.length = 0;
  controller.decide({ action: "accept" }); // alone: one more, to keep five ahead
  controller.decide({ action: "accept" }); // right after: a burst
  await controller.settled();
  await settle();
  const claims = calls.filter((c) => c.startsWith("POST /v1/review/claim"));
  assert.equal(claims[0], 'POST /v1/review/claim {"limit":1,"desk":"id-1"}');
  // Once the first claim is back, the burst is covered: 12 ahead of the current item.
  assert.equal(claims.at(-1), 'POST /v1/review/claim {"limit":8,"desk":"id-1"}');
  assert.equal(ids(controller.state).length - controller.state.cursor, 1 + 12);
});
