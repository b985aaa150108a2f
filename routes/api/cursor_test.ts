import assert from "node:assert/strict";
import { AppError } from "../../lib/errors.ts";
import {
  cursorId,
  cursorNumber,
  cursorShape,
  cursorText,
  decodeCursor,
  encodeCursor,
} from "./cursor.ts";

const IDS = cursorShape("a", cursorId);
const MARGINS = cursorShape("r", cursorNumber, cursorId);
const NAMED = cursorShape("n", cursorText(50), cursorId);

/** Asserts decoding `cursor` as `shape` is the 422 `invalidCursor`. */
function refused(cursor: string, shape: Parameters<typeof decodeCursor>[1]) {
  assert.throws(
    () => decodeCursor(cursor, shape),
    (err: unknown) =>
      err instanceof AppError && err.status === 422 && err.code === "invalidCursor" &&
      err.message === "The cursor is not one this API returned.",
    cursor,
  );
}

Deno.test("encodeCursor() and decodeCursor() round-trip ids, numbers and text", () => {
  for (const id of [0, 1, 42, 2 ** 53 - 1]) {
    assert.deepEqual(decodeCursor(encodeCursor(IDS, [id]), IDS), [id]);
  }
  for (const margin of [0, 0.25, 1, -0.5, 1e-7, 5e-324, 0.1 + 0.2]) {
    assert.deepEqual(decodeCursor(encodeCursor(MARGINS, [margin, 7]), MARGINS), [margin, 7]);
  }
  for (const name of ["plain", "with: colons", "100% ünïcödé 📰", ""]) {
    assert.deepEqual(decodeCursor(encodeCursor(NAMED, [name, 3]), NAMED), [name, 3]);
  }
});

Deno.test("encodeCursor() writes the cursors earlier pages were given", () => {
  // Clients may hold cursors from before: the wire format stays `base64("TAG:values")`.
  assert.equal(encodeCursor(IDS, [42]), btoa("a:42").replace(/=+$/, ""));
  assert.equal(encodeCursor(MARGINS, [0.125, 9]), btoa("r:0.125:9").replace(/=+$/, ""));
  assert.deepEqual(decodeCursor(btoa("r:1e-7:12"), MARGINS), [1e-7, 12]);
});

Deno.test("decodeCursor() refuses garbage and tampered cursors with the 422", () => {
  for (const garbage of ["", "%%", "bogus", "!!!!", "a:42", "😀"]) refused(garbage, IDS);
  const b64 = (s: string) => btoa(s).replace(/=+$/, "");
  refused(b64("r:42"), IDS); // another listing's tag
  refused(b64("a:42:1"), IDS); // a value too many
  refused(b64("a:"), IDS);
  refused(b64("a:-1"), IDS);
  refused(b64("a:4.2"), IDS);
  refused(b64("a:12345678901234567"), IDS); // more than 16 digits
  refused(b64("r:0.5"), MARGINS); // a value too few
  refused(b64("r:NaN:1"), MARGINS);
  refused(b64("r:1e999:1"), MARGINS); // Infinity
  refused(b64("r:1.2.3:1"), MARGINS);
  refused(b64("r:%31:1"), MARGINS); // escapes are for text only
  refused(b64("n:%E0%A4%A:1"), NAMED); // a malformed escape
  refused(b64(`n:${"x".repeat(51)}:1`), NAMED);
});
