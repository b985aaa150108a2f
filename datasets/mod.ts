/** Reading data sets: AG News CSV, any headed CSV, the BBC folder layout, JSON Lines, parquet. */
import { type AgNewsCsvOptions, readAgNewsCsv } from "./agnews_csv.ts";
import { readBbcFolder } from "./bbc_folder.ts";
import { readCsv } from "./csv.ts";
import type { FieldMap } from "./fields.ts";
import { readJsonLines } from "./jsonl.ts";
import { readParquet } from "./parquet.ts";
import { DatasetError, type DatasetRecord } from "./records.ts";

export { DatasetError } from "./records.ts";
export { AG_NEWS_LABELS, type DatasetRecord } from "./records.ts";
export type { FieldMap } from "./fields.ts";

export const DATASET_FORMATS = ["agnews-csv", "csv", "bbc", "jsonl", "parquet"] as const;
export type DatasetFormat = typeof DATASET_FORMATS[number];

/** Options of {@link readDataset}. */
export interface DatasetOptions extends AgNewsCsvOptions {
  /** Text and label fields of JSON Lines and CSV rows (`--text-field`, `--label-field`). */
  fields?: FieldMap;
}

const hasFields = (fields?: FieldMap) => Boolean(fields?.text?.length || fields?.label);

/**
 * Guesses the format from the path: a folder is BBC, else by extension; a `.csv` is AG News
 * unless text or label fields are named, then any headed CSV.
 */
export async function detectFormat(path: string, fields?: FieldMap): Promise<DatasetFormat> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new DatasetError(`${path}: no such file or folder`);
  }
  if (info.isDirectory) return "bbc";
  if (/\.csv$/i.test(path)) return hasFields(fields) ? "csv" : "agnews-csv";
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return "jsonl";
  if (/\.parquet$/i.test(path)) return "parquet";
  throw new DatasetError(`${path}: unknown format; pass --format (${DATASET_FORMATS.join(", ")})`);
}

/**
 * Streams the records of a data set file or folder. `options.labelColumn` picks the label
 * column of a headed AG News CSV (see readAgNewsCsv); `options.fields` the text and label
 * fields of JSON Lines and CSV (other formats refuse them).
 */
export async function* readDataset(
  path: string,
  format?: DatasetFormat,
  options: DatasetOptions = {},
): AsyncGenerator<DatasetRecord> {
  const chosen = format ?? await detectFormat(path, options.fields);
  if (hasFields(options.fields) && chosen !== "jsonl" && chosen !== "csv") {
    throw new DatasetError(
      `${path}: text and label fields apply to JSON Lines and CSV, not ${chosen}`,
    );
  }
  switch (chosen) {
    case "agnews-csv":
      yield* readAgNewsCsv(path, options);
      break;
    case "bbc":
      yield* readBbcFolder(path);
      break;
    case "csv":
      yield* readCsv(path, options.fields);
      break;
    case "jsonl":
      yield* readJsonLines(path, options.fields);
      break;
    case "parquet":
      yield* readParquet(path);
      break;
  }
}
