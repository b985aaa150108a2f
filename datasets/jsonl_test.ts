import assert from "node:assert/strict";
import { DatasetError, readJsonLines } from "./jsonl.ts";
import type { DatasetRecord } from "./records.ts";

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function withFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/data.jsonl`;
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readJsonLines() maps HuffPost fields (headline, short_description, link, date, category)", async () => {
  const rows = await collect(readJsonLines(testdata("huffpost.jsonl")));
  assert.equal(rows.length, 3, "the blank line is skipped");
  const [first] = rows;
  assert.equal(
    first.title,
    "Over 4 Million Americans Roll Up Sleeves For Omicron-Targeted COVID Boosters",
  );
  assert.equal(
    first.body,
    "Health experts said it is too early to predict whether demand would match up.",
  );
  assert.equal(
    first.url,
    "https://www.huffpost.com/entry/covid-boosters-uptake-us_n_632d719ee4b087fae6feaac9",
  );
  assert.equal(first.source, "huffpost.com");
  assert.equal(first.category, "U.S. NEWS");
  assert.equal(first.publishedAt, "2022-09-23T00:00:00.000Z");
  assert.equal(rows[1].body, "", "an empty short_description is an empty body");
});

Deno.test("readJsonLines() reads text/label training rows, splitting the text into title and body", async () => {
  const rows = await collect(readJsonLines(testdata("text_label.jsonl")));
  assert.deepEqual(rows.map((r) => [r.title, r.body, r.label]), [
    [
      "Oil prices hit record",
      "Crude futures rose above $50 a barrel on supply worries.",
      "Business",
    ],
    ["A short text with no title separator", "A short text with no title separator", "3"],
  ]);
});

Deno.test("readJsonLines() reads our own article field names", async () => {
  const line = JSON.stringify({
    externalId: "wire-42",
    url: "https://example.com/a/42",
    title: " Padded title ",
    body: "Body.",
    source: "wire",
    language: "en",
    publishedAt: "2024-03-01T12:00:00+01:00",
  });
  const [r] = await withFile(line + "\n", (p) => collect(readJsonLines(p)));
  assert.deepEqual(r, {
    externalId: "wire-42",
    url: "https://example.com/a/42",
    title: "Padded title",
    body: "Body.",
    source: "wire",
    category: null,
    language: "en",
    publishedAt: "2024-03-01T11:00:00.000Z",
    label: undefined,
  });
});

Deno.test("readJsonLines() gives a DatasetError naming file:line for a bad line", async () => {
  const path = testdata("bad_line.jsonl");
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const r of readJsonLines(path)) seen.push(r.title);
    },
    (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.message, `${path}:3: not valid JSON`);
      return true;
    },
  );
  assert.deepEqual(seen, ["First line is fine", "Second line is fine too"]);
});

Deno.test("readJsonLines() rejects a line that is not an object, or has no text", async () => {
  await withFile('{"headline":"ok"}\n[1,2]\n', async (path) => {
    await assert.rejects(() => collect(readJsonLines(path)), {
      name: "DatasetError",
      message: `${path}:2: expected a JSON object`,
    });
  });
  await withFile('{"label":"World","title":"   "}\n', async (path) => {
    await assert.rejects(() => collect(readJsonLines(path)), {
      name: "DatasetError",
      message: `${path}:1: no title, headline or text`,
    });
  });
});

Deno.test("readJsonLines() ignores an unparseable date rather than failing", async () => {
  const [r] = await withFile(
    '{"headline":"Dated","date":"not a date"}\n',
    (p) => collect(readJsonLines(p)),
  );
  assert.equal(r.publishedAt, null);
});
