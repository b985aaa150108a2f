import assert from "node:assert/strict";
import { readCsv } from "./csv.ts";
import { DatasetError, readDataset } from "./mod.ts";
import type { DatasetRecord } from "./records.ts";

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function withFile<T>(name: string, text: string, fn: (path: string) => Promise<T>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return await fn(`${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CSV =
  'headline,short_description,category\n"Markets, rally",Stocks rose.,BUSINESS\nGoal!,,SPORTS\n';

Deno.test("readCsv() joins the named text columns with ' . ' and takes the named label", async () => {
  await withFile("a.csv", CSV, async (path) => {
    const rows = await collect(
      readCsv(path, { text: ["headline", "short_description"], label: "category" }),
    );
    assert.deepEqual(rows.map((r) => [r.title, r.body, r.label]), [
      ["Markets, rally", "Stocks rose.", "BUSINESS"],
      ["Goal!", "", "SPORTS"],
    ]);
  });
});

Deno.test("readCsv() without fields reads text/label columns", async () => {
  await withFile("a.csv", "text,label\nShares fell . Banks led,markets\n", async (path) => {
    const [row] = await collect(readCsv(path));
    assert.deepEqual([row.title, row.body, row.label], ["Shares fell", "Banks led", "markets"]);
  });
});

Deno.test("readCsv() refuses a field missing from the header, naming it", async () => {
  await withFile("a.csv", CSV, async (path) => {
    await assert.rejects(
      collect(readCsv(path, { text: ["headline"], label: "topic" })),
      (e: Error) => e instanceof DatasetError && /:1: no column "topic"/.test(e.message),
    );
  });
});

Deno.test("readCsv() names the row whose label is empty", async () => {
  await withFile("a.csv", "headline,category\nfine,A\nno label,\n", async (path) => {
    await assert.rejects(
      collect(readCsv(path, { text: ["headline"], label: "category" })),
      (e: Error) =>
        e instanceof DatasetError && e.message.endsWith(`a.csv:3: label field "category" is empty`),
    );
  });
});

Deno.test("readDataset() picks the headed CSV reader for a .csv when fields are named", async () => {
  await withFile("a.csv", CSV, async (path) => {
    const rows = await collect(readDataset(path, undefined, { fields: { label: "category" } }));
    assert.equal(rows.length, 2);
    assert.equal(rows[0].label, "BUSINESS");
  });
});

Deno.test("readDataset() refuses fields for a format without named fields", async () => {
  await withFile("a.csv", CSV, async (path) => {
    await assert.rejects(
      collect(readDataset(path, "agnews-csv", { fields: { label: "category" } })),
      /apply to JSON Lines and CSV, not agnews-csv/,
    );
  });
});
