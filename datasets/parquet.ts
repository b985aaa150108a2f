/** Parquet files (as the Hugging Face hub serves data sets), read with hyparquet. */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { recordFromObject } from "./records.ts";
import type { DatasetRecord } from "./records.ts";

const ROWS_PER_READ = 5_000;

/**
 * Streams rows of a parquet file as records, `ROWS_PER_READ` at a time so a
 * large file is never held whole. Integer labels are mapped through `labelNames`.
 */
export async function* readParquet(
  path: string,
  labelNames?: readonly string[],
): AsyncGenerator<DatasetRecord> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += ROWS_PER_READ) {
    const rows = await parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: Math.min(total, start + ROWS_PER_READ),
    });
    for (const row of rows) {
      const record = recordFromObject(
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
        ),
        labelNames,
      );
      if (record) yield record;
    }
  }
}
