import assert from "node:assert/strict";
import { parseApiKeys, weakApiKeys } from "./api_keys.ts";

Deno.test("parseApiKeys() reads name=key and bare keys separated by ';'", () => {
  assert.deepEqual(parseApiKeys(undefined, "alice=alice-secret-1; bare-secret-22 ;;"), [
    { name: "alice", key: "alice-secret-1", role: "reviewer" },
    { name: "key2", key: "bare-secret-22", role: "reviewer" },
  ]);
});

Deno.test("parseApiKeys() names API_KEY 'default', an admin, and keeps it beside API_KEYS", () => {
  assert.deepEqual(parseApiKeys("single-secret-0", "ops=ops-secret-01"), [
    { name: "default", key: "single-secret-0", role: "admin" },
    { name: "ops", key: "ops-secret-01", role: "reviewer" },
  ]);
});

Deno.test("parseApiKeys() reads the role in name:admin=key and name:reviewer=key", () => {
  assert.deepEqual(parseApiKeys(undefined, "ops:admin=ops-secret-01;eve:reviewer=eve-secret-1"), [
    { name: "ops", key: "ops-secret-01", role: "admin" },
    { name: "eve", key: "eve-secret-1", role: "reviewer" },
  ]);
});

Deno.test("parseApiKeys() splits only at the first '=' so a key may contain '='", () => {
  assert.deepEqual(parseApiKeys(undefined, "ci=abc=def=ghi"), [
    { name: "ci", key: "abc=def=ghi", role: "reviewer" },
  ]);
});

Deno.test("weakApiKeys() names keys with too little variety for their length", () => {
  const key = (name: string, value: string) => ({ name, key: value, role: "reviewer" as const });
  assert.deepEqual(
    weakApiKeys([
      key("same", "a".repeat(40)),
      key("two", "ab".repeat(20)),
      key("shortHex", "0123456789abcdef"),
      key("hex24", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"),
      key("words", "correct-horse-battery-staple"),
    ]),
    ["same", "two", "shortHex"],
  );
});
