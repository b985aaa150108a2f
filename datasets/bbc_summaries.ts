/**
 * BBC News Summary pairs: `<root>/articles/<topic>/NNN.txt` with the reference
 * `<root>/summaries/<topic>/NNN.txt` (sentences taken from the article,
 * concatenated without a space after each full stop, as shipped).
 */
import { join } from "node:path";
import { decodeText, readBbcFolder } from "./bbc_folder.ts";
import { DatasetError } from "./records.ts";

export interface SummaryPairRecord {
  id: string;
  title: string;
  article: string;
  reference: string;
}

/** Yields every article that has a reference summary, in folder and file name order. */
export async function* readBbcSummaryPairs(root: string): AsyncGenerator<SummaryPairRecord> {
  const articles = join(root, "articles");
  const summaries = join(root, "summaries");
  for (const dir of [articles, summaries]) {
    if (!(await Deno.stat(dir).catch(() => null))?.isDirectory) {
      throw new DatasetError(
        `${root}: expected the folders articles/ and summaries/ (BBC News Summary layout)`,
      );
    }
  }
  for await (const a of readBbcFolder(articles)) {
    const id = a.externalId!.replace(/^bbc:/, "");
    const bytes = await Deno.readFile(join(summaries, `${id}.txt`)).catch(() => null);
    if (!bytes) continue;
    yield { id, title: a.title, article: a.body, reference: decodeText(bytes).trim() };
  }
}
