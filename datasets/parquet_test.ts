import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquet } from "./parquet.ts";
import { AG_NEWS_LABELS, type DatasetRecord } from "./records.ts";
import { readDataset } from "./mod.ts";

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function withParquet<T>(
  columnData: Parameters<typeof parquetWriteBuffer>[0]["columnData"],
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/train.parquet`;
    await Deno.writeFile(path, new Uint8Array(parquetWriteBuffer({ columnData })));
    return await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const texts = [
  "Oil hits record . Crude rose again on Tuesday.",
  "Federer wins . The Swiss beat Roddick in the final.",
  "Chip maker grows . Sales were up ten percent.",
];

Deno.test("readParquet() maps integer labels through the label names", async () => {
  const rows = await withParquet([
    { name: "text", data: texts, type: "STRING" },
    { name: "label", data: [2, 1, 3], type: "INT32" },
  ], (path) => collect(readParquet(path, AG_NEWS_LABELS)));
  assert.deepEqual(rows.map((r) => [r.title, r.body, r.label]), [
    ["Oil hits record", "Crude rose again on Tuesday.", "Business"],
    ["Federer wins", "The Swiss beat Roddick in the final.", "Sports"],
    ["Chip maker grows", "Sales were up ten percent.", "Sci/Tech"],
  ]);
});

Deno.test("readParquet() maps int64 (bigint) labels through the label names too", async () => {
  const rows = await withParquet([
    { name: "text", data: texts, type: "STRING" },
    { name: "label", data: [0n, 1n, 2n], type: "INT64" },
  ], (path) => collect(readParquet(path, AG_NEWS_LABELS)));
  assert.deepEqual(rows.map((r) => r.label), ["World", "Sports", "Business"]);
});

Deno.test("readParquet() keeps an integer label as its number when no names are given", async () => {
  const rows = await withParquet([
    { name: "text", data: texts, type: "STRING" },
    { name: "label", data: [2, 1, 3], type: "INT32" },
  ], (path) => collect(readDataset(path)));
  assert.deepEqual(rows.map((r) => r.label), ["2", "1", "3"]);
});

Deno.test("readParquet() reads HuffPost-style columns and skips rows without text", async () => {
  const rows = await withParquet([
    { name: "headline", data: ["A headline", null, "Another"], type: "STRING" },
    { name: "short_description", data: ["Desc.", "orphan", ""], type: "STRING" },
    {
      name: "link",
      data: ["https://www.huffpost.com/entry/a", null, "https://www.huffpost.com/entry/b"],
      type: "STRING",
    },
    { name: "category", data: ["POLITICS", "TECH", "WELLNESS"], type: "STRING" },
    { name: "date", data: ["2022-09-23", "2022-09-22", "2022-09-21"], type: "STRING" },
  ], (path) => collect(readParquet(path)));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r.title, r.body, r.url, r.category, r.source]), [
    ["A headline", "Desc.", "https://www.huffpost.com/entry/a", "POLITICS", "huffpost.com"],
    ["Another", "", "https://www.huffpost.com/entry/b", "WELLNESS", "huffpost.com"],
  ]);
  assert.equal(rows[0].publishedAt, "2022-09-23T00:00:00.000Z");
});

Deno.test("readParquet() streams a file larger than one read (5,000 rows) in order", async () => {
  const n = 12_345;
  const rows = await withParquet([
    { name: "text", data: Array.from({ length: n }, (_, i) => `Title ${i} . Body ${i}`) },
    { name: "label", data: Array.from({ length: n }, (_, i) => i % 4), type: "INT32" },
  ], (path) => collect(readParquet(path, AG_NEWS_LABELS)));
  assert.equal(rows.length, n);
  assert.ok(rows.every((r, i) => r.title === `Title ${i}` && r.label === AG_NEWS_LABELS[i % 4]));
});
