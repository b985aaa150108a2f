import assert from "node:assert/strict";
import { recordFromObject, splitTitle } from "./records.ts";

Deno.test("splitTitle() splits at the first ' . '", () => {
  assert.deepEqual(splitTitle("Stocks rally . Markets rose. Again . And again."), {
    title: "Stocks rally",
    body: "Markets rose. Again . And again.",
  });
});

Deno.test("splitTitle() keeps a full stop without spaces round it inside the title", () => {
  assert.deepEqual(splitTitle("U.S. stocks rally . Body"), {
    title: "U.S. stocks rally",
    body: "Body",
  });
});

Deno.test("splitTitle() uses the whole text as title and body when short and unsplittable", () => {
  assert.deepEqual(splitTitle("  Short text  "), { title: "Short text", body: "Short text" });
});

Deno.test("splitTitle() cuts a long unsplittable text at a word boundary within 160 characters", () => {
  const text = "word ".repeat(60).trim(); // 299 characters
  const { title, body } = splitTitle(text);
  assert.ok(title.endsWith("…"));
  assert.ok(title.length <= 161, `title is ${title.length} characters`);
  assert.ok(!title.slice(0, -1).endsWith(" "));
  assert.ok(text.startsWith(title.slice(0, -1)));
  assert.equal(body, text);
});

Deno.test("splitTitle() ignores a ' . ' at the very start or beyond 300 characters", () => {
  assert.equal(splitTitle(" . leading").title, ". leading");
  const late = "x".repeat(310) + " . tail";
  assert.equal(splitTitle(late).body, late);
});

Deno.test("recordFromObject() returns null for an object without usable text", () => {
  assert.equal(recordFromObject({}), null);
  assert.equal(recordFromObject({ title: "   ", label: "World" }), null);
  assert.equal(recordFromObject({ title: null, body: "body without a title" }), null);
});

Deno.test("recordFromObject() leaves an out-of-range integer label as its number", () => {
  const r = recordFromObject({ text: "T . B", label: 7 }, ["a", "b"]);
  assert.equal(r?.label, "7");
});

Deno.test("recordFromObject() takes the id and a numeric id as external id", () => {
  assert.equal(recordFromObject({ id: 17, title: "T" })?.externalId, "17");
  assert.equal(recordFromObject({ external_id: "x-1", id: 2, title: "T" })?.externalId, "x-1");
});

Deno.test("recordFromObject() leaves the source empty for a link that is not a URL", () => {
  const r = recordFromObject({ headline: "H", link: "not a url" });
  assert.equal(r?.source, null);
  assert.equal(r?.url, "not a url");
});
