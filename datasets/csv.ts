/**
 * A CSV file with a header row, its text and label in columns of any name (`fields`), or in
 * the names `recordFromObject` knows (`text`, `title`/`body`, `label`, …). AG News' own CSV
 * shapes have their reader (agnews_csv.ts).
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { type FieldMap, recordFromFields } from "./fields.ts";
import { DatasetError, type DatasetRecord } from "./records.ts";

/** Streams the rows of a headed CSV file as records; rows are named `file:line` in errors. */
export async function* readCsv(
  path: string,
  fields: FieldMap = {},
): AsyncGenerator<DatasetRecord> {
  const csv = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | null = null;
  for await (
    const { record, info } of csv as AsyncIterable<{ record: string[]; info: { lines: number } }>
  ) {
    if (!header) {
      header = record;
      for (const name of [...(fields.text ?? []), ...(fields.label ? [fields.label] : [])]) {
        if (!header.includes(name)) {
          throw new DatasetError(`${path}:${info.lines}: no column "${name}" in the header`);
        }
      }
      continue;
    }
    const row: Record<string, unknown> = {};
    header.forEach((name, i) => {
      if (record[i] !== undefined) row[name] = record[i];
    });
    yield recordFromFields(row, fields, `${path}:${info.lines}`);
  }
}
