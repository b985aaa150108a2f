/**
 * AG News CSV, in both shapes people have: the NoisyAG-News sample this project
 * ships (header `label,gt,text,group`) and the original release (no header;
 * class index 1-4, title, description).
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { normalizeNewsText } from "../ml/normalize.ts";
import { AG_NEWS_LABELS, DatasetError, type DatasetRecord, splitTitle } from "./records.ts";

/** Options of {@link readAgNewsCsv}. */
export interface AgNewsCsvOptions {
  /**
   * The header column that holds each row's label (default `gt`, the original AG News class;
   * the sample's `label` column holds the human annotators' label). Files without `gt` use
   * `label`.
   */
  labelColumn?: string;
}

/** Streams the rows of an AG News CSV file as records labelled with the gold class. */
export async function* readAgNewsCsv(
  path: string,
  options: AgNewsCsvOptions = {},
): AsyncGenerator<DatasetRecord> {
  const csv = createReadStream(path).pipe(parse({ relax_column_count: true, bom: true }));
  let header: string[] | null = null;
  let row = 0;
  for await (const cells of csv as AsyncIterable<string[]>) {
    row++;
    if (row === 1 && cells.includes("text")) {
      header = cells;
      if (options.labelColumn && !header.includes(options.labelColumn)) {
        throw new DatasetError(`${path}: no column "${options.labelColumn}" in the header`);
      }
      continue;
    }
    if (header) {
      const get = (name: string) => cells[header!.indexOf(name)];
      const gt = Number(
        options.labelColumn ? get(options.labelColumn) : get("gt") ?? get("label"),
      );
      // The data's quirks (`#39;`, ` quot;`, escaped tags, backslash line breaks) are
      // fixed here, so stored articles read cleanly; models normalise the same way.
      const { title, body } = splitTitle(normalizeNewsText(get("text") ?? ""));
      yield { title, body, source: "agnews", label: AG_NEWS_LABELS[gt] ?? String(gt) };
    } else {
      const [cls, title, description] = cells;
      yield {
        title: normalizeNewsText(title),
        body: normalizeNewsText(description ?? ""),
        source: "agnews",
        label: AG_NEWS_LABELS[Number(cls) - 1] ?? cls,
      };
    }
  }
}
