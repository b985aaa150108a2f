/** JSON Lines: one object per line (our article fields, HuffPost's, or `text`/`label`). */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type FieldMap, recordFromFields } from "./fields.ts";
import { DatasetError, type DatasetRecord } from "./records.ts";

export { DatasetError } from "./records.ts";

/**
 * Streams records from a JSON Lines file; blank lines are skipped. `fields` names the text and
 * label fields (default: the names `recordFromObject` knows).
 */
export async function* readJsonLines(
  path: string,
  fields: FieldMap = {},
): AsyncGenerator<DatasetRecord> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DatasetError(`${path}:${n}: not valid JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new DatasetError(`${path}:${n}: expected a JSON object`);
    }
    yield recordFromFields(value as Record<string, unknown>, fields, `${path}:${n}`);
  }
}
