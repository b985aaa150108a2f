import assert from "node:assert/strict";
import { safeNext } from "./next.ts";
import { ORIGIN } from "../../testing/routes/console/test_helpers.ts";

Deno.test("safeNext() keeps local paths only", () => {
  assert.equal(safeNext("/queue?label=sport"), "/queue?label=sport");
  assert.equal(safeNext("//evil.example/x"), "/");
  assert.equal(safeNext("/\\evil.example"), "/");
  assert.equal(safeNext("https://evil.example/"), "/");
  assert.equal(safeNext("javascript:alert(1)"), "/");
  assert.equal(safeNext("/login"), "/");
  assert.equal(safeNext(undefined), "/");
});

/** `next` values a browser would follow off-site if we echoed them (or their resolution). */
const OFF_SITE_NEXT = [
  "//evil.example/x",
  "/\\evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "/.//evil.example",
  "/%2e//evil.example",
  "/%2E//evil.example",
  "/a/..//evil.example",
  "/a/%2e%2e//evil.example",
  "/./\\evil.example",
  "/.\\/evil.example",
  "/\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/\t\\evil.example",
  "/.//\tevil.example",
  "\t//evil.example",
  " //evil.example",
];

Deno.test("safeNext() keeps every resolved path on our origin", () => {
  for (const next of OFF_SITE_NEXT) {
    const out = safeNext(next);
    assert.ok(out.startsWith("/"), JSON.stringify(next));
    assert.ok(!out.startsWith("//") && !out.startsWith("/\\"), `${JSON.stringify(next)} → ${out}`);
    assert.equal(new URL(out, ORIGIN).origin, ORIGIN, JSON.stringify(next));
  }
  // Encoded slashes stay encoded: a browser reads them as one path segment, never a host.
  for (const next of ["/%2f/evil.example", "/%5c/evil.example", "/%2F%2Fevil.example"]) {
    const out = safeNext(next);
    assert.equal(new URL(out, ORIGIN).origin, ORIGIN, next);
  }
  // Local paths come back normalised; the fragment is dropped.
  assert.equal(safeNext("/queue?label=sport"), "/queue?label=sport");
  assert.equal(safeNext("/a/../queue"), "/queue");
  assert.equal(safeNext("/./review#x"), "/review");
  assert.equal(safeNext("/login"), "/");
  assert.equal(safeNext(""), "/");
  assert.equal(safeNext(null), "/");
});
