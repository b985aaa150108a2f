import assert from "node:assert/strict";
import { keyCommand, type KeyPress } from "./keys.ts";

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...more,
});

Deno.test("keyCommand() maps the desk's keys, letters in either case", () => {
  const kinds = (keys: string[]) => keys.map((k) => keyCommand(press(k))?.kind);
  assert.deepEqual(kinds(["Enter", "s", "S", "f", "F", "u", "U"]), [
    "submit",
    "skip",
    "skip",
    "flag",
    "flag",
    "undo",
    "undo",
  ]);
  assert.deepEqual(kinds(["j", "J", "k", "K", "Escape"]), [
    "next",
    "next",
    "previous",
    "previous",
    "cancel",
  ]);
});

Deno.test("keyCommand() turns 1..9 into a 0-based index and leaves 0 alone", () => {
  assert.deepEqual(keyCommand(press("1")), { kind: "digit", index: 0 });
  assert.deepEqual(keyCommand(press("9")), { kind: "digit", index: 8 });
  assert.equal(keyCommand(press("0")), null);
});

Deno.test("keyCommand() leaves browser shortcuts, other keys and typing in form fields alone", () => {
  assert.equal(keyCommand(press("s", { ctrlKey: true })), null);
  assert.equal(keyCommand(press("u", { metaKey: true })), null);
  assert.equal(keyCommand(press("1", { altKey: true })), null);
  assert.equal(keyCommand(press("x")), null);
  assert.equal(keyCommand(press("Tab")), null);
  for (const tagName of ["INPUT", "TEXTAREA", "SELECT"]) {
    assert.equal(keyCommand(press("s", { tagName })), null);
  }
  assert.deepEqual(keyCommand(press("s", { tagName: "BODY" })), { kind: "skip" });
});
