import assert from "node:assert/strict";
import { DatasetError, detectFormat, readDataset } from "./mod.ts";

const testdata = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;

Deno.test("detectFormat() says bbc for a folder and goes by extension for files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: Array<[string, string]> = [
      ["a.csv", "agnews-csv"],
      ["A.CSV", "agnews-csv"],
      ["a.jsonl", "jsonl"],
      ["a.ndjson", "jsonl"],
      ["a.json", "jsonl"],
      ["a.parquet", "parquet"],
    ];
    for (const [name] of cases) await Deno.writeTextFile(`${dir}/${name}`, "");
    for (const [name, format] of cases) {
      assert.equal(await detectFormat(`${dir}/${name}`), format, name);
    }
    assert.equal(await detectFormat(dir), "bbc");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectFormat() rejects an unknown extension, naming the formats", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.xml`, "");
    await assert.rejects(() => detectFormat(`${dir}/a.xml`), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.match(
        err.message,
        /unknown format; pass --format \(agnews-csv, csv, bbc, jsonl, parquet\)/,
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectFormat() rejects a path that does not exist with a DatasetError", async () => {
  await assert.rejects(() => detectFormat(testdata("missing.csv")), {
    name: "DatasetError",
    message: `${testdata("missing.csv")}: no such file or folder`,
  });
});

Deno.test("readDataset() follows an explicit format over the extension", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/export.txt`;
    await Deno.copyFile(testdata("huffpost.jsonl"), path);
    const titles: string[] = [];
    for await (const r of readDataset(path, "jsonl")) titles.push(r.title);
    assert.equal(titles.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readDataset() dispatches on the detected format", async () => {
  const labels: Record<string, string[]> = {};
  for (const name of ["agnews_header.csv", "bbc", "text_label.jsonl"]) {
    labels[name] = [];
    for await (const r of readDataset(testdata(name))) labels[name].push(r.label ?? "");
  }
  assert.deepEqual(labels, {
    "agnews_header.csv": ["Business", "Sci/Tech", "Sports"],
    bbc: ["business", "sport", "tech"],
    "text_label.jsonl": ["Business", "3"],
  });
});
