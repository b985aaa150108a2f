/**
 * The BBC News folder layout: `<root>/<topic>/NNN.txt`, first line the title,
 * then the body; the folder name is the topic label.
 */
import { join } from "node:path";
import type { DatasetRecord } from "./records.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("windows-1252");

/** Decodes UTF-8, falling back to Windows-1252 (one BBC file is Latin-1). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

async function sortedEntries(dir: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** Yields every article under `root`, topic folders and files in name order. */
export async function* readBbcFolder(root: string): AsyncGenerator<DatasetRecord> {
  for (const topic of await sortedEntries(root)) {
    if (!topic.isDirectory) continue;
    for (const file of await sortedEntries(join(root, topic.name))) {
      if (!file.isFile || !file.name.endsWith(".txt")) continue;
      const text = decodeText(await Deno.readFile(join(root, topic.name, file.name)));
      const [first, ...rest] = text.replace(/\r\n/g, "\n").split("\n");
      yield {
        externalId: `bbc:${topic.name}/${file.name.replace(/\.txt$/, "")}`,
        title: first.trim(),
        body: rest.join("\n").trim(),
        source: "bbc",
        category: topic.name,
        label: topic.name,
      };
    }
  }
}
