import assert from "node:assert/strict";
import { decodeText, readBbcFolder } from "./bbc_folder.ts";
import type { DatasetRecord } from "./records.ts";

const root = new URL("./testdata/bbc", import.meta.url).pathname;

async function collect(records: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

Deno.test("readBbcFolder() takes the title from the first line and the label from the folder", async () => {
  const rows = await collect(readBbcFolder(root));
  const business = rows.find((r) => r.externalId === "bbc:business/001")!;
  assert.equal(business.title, "Ad sales boost Time Warner profit");
  assert.equal(
    business.body,
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.\n\n" +
      "Its profits were buoyed by one-off gains.",
  );
  assert.equal(business.label, "business");
  assert.equal(business.category, "business");
  assert.equal(business.source, "bbc");
});

Deno.test("readBbcFolder() yields only .txt files inside topic folders, in name order", async () => {
  const rows = await collect(readBbcFolder(root));
  assert.deepEqual(rows.map((r) => r.externalId), [
    "bbc:business/001",
    "bbc:sport/199",
    "bbc:tech/002",
  ]);
});

Deno.test("readBbcFolder() decodes a Latin-1 file (as sport/199 is in the original)", async () => {
  const rows = await collect(readBbcFolder(root));
  const sport = rows.find((r) => r.label === "sport")!;
  assert.equal(sport.title, "Café owner wins £1m lottery");
  assert.equal(sport.body, "The owner of a café in Cardiff said the win was “unbelievable”.");
});

Deno.test("readBbcFolder() handles CRLF line ends", async () => {
  const rows = await collect(readBbcFolder(root));
  const tech = rows.find((r) => r.label === "tech")!;
  assert.equal(tech.title, "Mobile gaming takes off");
  assert.equal(tech.body, "Games on phones are booming.");
});

Deno.test("decodeText() keeps valid UTF-8 and falls back to Windows-1252", () => {
  assert.equal(decodeText(new TextEncoder().encode("naïve – ok")), "naïve – ok");
  assert.equal(decodeText(new Uint8Array([0x6e, 0x61, 0xef, 0x76, 0x65])), "naïve");
});

Deno.test("readBbcFolder() rejects a folder that does not exist", async () => {
  await assert.rejects(
    () => collect(readBbcFolder(`${root}/no-such-folder`)),
    Deno.errors.NotFound,
  );
});
