import assert from "node:assert/strict";
import { safeNext } from "./next.ts";

Deno.test("safeNext() keeps local paths only", () => {
  assert.equal(safeNext("/queue?label=sport"), "/queue?label=sport");
  assert.equal(safeNext("//evil.example/x"), "/");
  assert.equal(safeNext("/\\evil.example"), "/");
  assert.equal(safeNext("https://evil.example/"), "/");
  assert.equal(safeNext("javascript:alert(1)"), "/");
  assert.equal(safeNext("/login"), "/");
  assert.equal(safeNext(undefined), "/");
});
