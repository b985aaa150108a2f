/** Reading data sets: AG News CSV, the BBC folder layout, JSON Lines, parquet. */
import { type AgNewsCsvOptions, readAgNewsCsv } from "./agnews_csv.ts";
import { readBbcFolder } from "./bbc_folder.ts";
import { readJsonLines } from "./jsonl.ts";
import { readParquet } from "./parquet.ts";
import { DatasetError, type DatasetRecord } from "./records.ts";

export { DatasetError } from "./records.ts";
export { AG_NEWS_LABELS, type DatasetRecord } from "./records.ts";

export const DATASET_FORMATS = ["agnews-csv", "bbc", "jsonl", "parquet"] as const;
export type DatasetFormat = typeof DATASET_FORMATS[number];

/** Guesses the format from the path: a folder is BBC, else by extension. */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new DatasetError(`${path}: no such file or folder`);
  }
  if (info.isDirectory) return "bbc";
  if (/\.csv$/i.test(path)) return "agnews-csv";
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return "jsonl";
  if (/\.parquet$/i.test(path)) return "parquet";
  throw new DatasetError(`${path}: unknown format; pass --format (${DATASET_FORMATS.join(", ")})`);
}

/**
 * Streams the records of a data set file or folder. `options.labelColumn` picks the label
 * column of a headed AG News CSV (see readAgNewsCsv).
 */
export async function* readDataset(
  path: string,
  format?: DatasetFormat,
  options: AgNewsCsvOptions = {},
): AsyncGenerator<DatasetRecord> {
  switch (format ?? await detectFormat(path)) {
    case "agnews-csv":
      yield* readAgNewsCsv(path, options);
      break;
    case "bbc":
      yield* readBbcFolder(path);
      break;
    case "jsonl":
      yield* readJsonLines(path);
      break;
    case "parquet":
      yield* readParquet(path);
      break;
  }
}
