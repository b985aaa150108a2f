import assert from "node:assert/strict";
import { readAgNewsCsv } from "./agnews_csv.ts";
import type { DatasetRecord } from "./records.ts";

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

Deno.test("readAgNewsCsv() maps gt (not the annotators' label) to the AG News label names", async () => {
  const rows = await collect(readAgNewsCsv(testdata("agnews_header.csv")));
  assert.deepEqual(rows.map((r) => r.label), ["Business", "Sci/Tech", "Sports"]);
  assert.ok(rows.every((r) => r.source === "agnews"));
});

Deno.test("readAgNewsCsv() reads the column labelColumn names, and refuses one not in the header", async () => {
  const rows = await collect(
    readAgNewsCsv(testdata("agnews_header.csv"), { labelColumn: "label" }),
  );
  assert.deepEqual(rows.map((r) => r.label), ["Business", "Sports", "World"]);
  await assert.rejects(
    () => collect(readAgNewsCsv(testdata("agnews_header.csv"), { labelColumn: "human" })),
    /no column "human"/,
  );
});

Deno.test("readAgNewsCsv() splits the header shape's text at ' . ' into title and body", async () => {
  const [first, second] = await collect(readAgNewsCsv(testdata("agnews_header.csv")));
  assert.equal(first.title, "Vivendi, Messier Are Fined");
  assert.equal(
    first.body,
    "Vivendi Universal and its former chief have each been fined 1 million euros, the lawyer said.",
  );
  // A doubled quote inside a quoted cell is one quote.
  assert.match(second.body, /found "strong evidence" of past water/);
});

Deno.test("readAgNewsCsv() reads the original headerless shape with 1-based class indexes", async () => {
  const rows = await collect(readAgNewsCsv(testdata("agnews_original.csv")));
  assert.equal(rows.length, 4);
  assert.deepEqual(rows.map((r) => r.label), ["Business", "World", "Sports", "Sci/Tech"]);
  assert.equal(rows[0].title, "Wall St. Bears Claw Back Into the Black (Reuters)");
  assert.match(rows[0].body, /^Reuters - Short-sellers/);
  assert.match(rows[1].body, /after "sabotage", an official/);
  assert.equal(rows[3].body, "");
});

Deno.test("readAgNewsCsv() skips a UTF-8 byte-order mark before the header", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bom.csv`;
    await Deno.writeTextFile(path, '\uFEFFlabel,gt,text,group\n0,0,"Title here . Body here",1\n');
    const rows = await collect(readAgNewsCsv(path));
    assert.deepEqual(rows.map((r) => [r.title, r.body, r.label]), [
      ["Title here", "Body here", "World"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readAgNewsCsv() reads the shipped 10k sample: 10,000 rows, classes balanced by gt", async () => {
  const path = new URL("../data/agnews/train_10k.csv", import.meta.url).pathname;
  const counts = new Map<string, number>();
  let untitled = 0;
  for await (const r of readAgNewsCsv(path)) {
    counts.set(r.label!, (counts.get(r.label!) ?? 0) + 1);
    if (!r.title) untitled++;
  }
  // The counts data/README.md states for gt.
  assert.deepEqual(Object.fromEntries(counts), {
    World: 2514,
    Sports: 2504,
    Business: 2519,
    "Sci/Tech": 2463,
  });
  assert.equal(untitled, 0);
});
