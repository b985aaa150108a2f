import assert from "node:assert/strict";
import { readJsonLines } from "./jsonl.ts";
import { DatasetError, type DatasetRecord } from "./records.ts";
import { recordFromFields } from "./fields.ts";

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

Deno.test("readJsonLines() with fields trains HuffPost rows on headline . short_description and category", async () => {
  const rows = await collect(
    readJsonLines(testdata("huffpost.jsonl"), {
      text: ["headline", "short_description"],
      label: "category",
    }),
  );
  assert.equal(rows.length, 3);
  assert.equal(rows[0].label, "U.S. NEWS");
  assert.equal(
    rows[0].title,
    "Over 4 Million Americans Roll Up Sleeves For Omicron-Targeted COVID Boosters",
  );
  assert.ok(rows[0].body.startsWith("Health experts"));
  assert.equal(rows[0].source, "huffpost.com", "the other known fields are kept");
});

Deno.test("readJsonLines() names the field and the line a row lacks", async () => {
  await assert.rejects(
    collect(readJsonLines(testdata("huffpost.jsonl"), { text: ["headline"], label: "section" })),
    (e: Error) =>
      e instanceof DatasetError && /huffpost\.jsonl:1: no label field "section"$/.test(e.message),
  );
});

Deno.test("recordFromFields() joins several text fields and skips empty ones", () => {
  const r = recordFromFields({ a: "One", b: "", c: 3, y: "x" }, {
    text: ["a", "b", "c"],
    label: "y",
  }, "f:1");
  assert.deepEqual([r.title, r.body, r.label], ["One", "3", "x"]);
});

Deno.test("recordFromFields() refuses a missing or null text field and all-empty text", () => {
  assert.throws(
    () => recordFromFields({ a: "x" }, { text: ["a", "b"] }, "f:7"),
    /^.*f:7: no text field "b"$/,
  );
  assert.throws(
    () => recordFromFields({ a: null }, { text: ["a"] }, "f:2"),
    /f:2: no text field "a"/,
  );
  assert.throws(
    () => recordFromFields({ a: " " }, { text: ["a"] }, "f:3"),
    /f:3: text fields a are all empty/,
  );
});
