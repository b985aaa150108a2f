import assert from "node:assert/strict";
import { Outbox, OUTBOX_MAX, outboxKey } from "./outbox.ts";

function storage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  };
}

const d = (n: number) => ({ decisionId: `id-${n}`, itemId: n, action: "accept" as const });

Deno.test("Outbox keeps decisions in storage, in order, until removed", () => {
  const s = storage();
  const box = new Outbox(s, outboxKey("ann"));
  box.add(d(1));
  box.add(d(2));
  box.add(d(3));
  // Another page of the same reviewer sees them.
  assert.deepEqual(new Outbox(s, outboxKey("ann")).list().map((x) => x.itemId), [1, 2, 3]);
  assert.equal(new Outbox(s, outboxKey("bob")).size, 0);
  box.remove(new Set(["id-2"]));
  assert.deepEqual(box.list().map((x) => x.itemId), [1, 3]);
});

Deno.test("Outbox ignores what it cannot read and works without storage", () => {
  const s = storage();
  s.setItem(outboxKey("ann"), "{not json");
  assert.deepEqual(new Outbox(s, outboxKey("ann")).list(), []);
  s.setItem(
    outboxKey("ann"),
    JSON.stringify([d(1), { itemId: "x" }, null, { ...d(2), action: "eat" }]),
  );
  assert.deepEqual(new Outbox(s, outboxKey("ann")).list(), [d(1)]);
  const memory = new Outbox(null, "k");
  memory.add(d(5));
  assert.deepEqual(memory.list(), [d(5)]);
  const full = new Outbox({
    getItem: () => {
      throw new Error("SecurityError");
    },
    setItem: () => {
      throw new Error("QuotaExceededError");
    },
  }, "k");
  full.add(d(6));
  assert.deepEqual(full.list(), [d(6)]);
});

Deno.test("Outbox keeps at most OUTBOX_MAX decisions, the newest", () => {
  const box = new Outbox(null, "k");
  for (let i = 1; i <= OUTBOX_MAX + 2; i++) box.add(d(i));
  assert.equal(box.size, OUTBOX_MAX);
  assert.equal(box.list()[0].itemId, 3);
});
