/**
 * Rows whose text and label sit in fields of any name (`--text-field headline,short_description
 * --label-field category`): the record built from a row object by such a map, shared by the
 * JSON Lines and CSV readers.
 */
import { DatasetError, type DatasetRecord, recordFromObject } from "./records.ts";

/** Which fields of a row hold the text (several are joined with " . ") and the label. */
export interface FieldMap {
  text?: string[];
  label?: string;
}

const value = (v: unknown): string | undefined =>
  typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : undefined;

/**
 * The record of one row under `fields`; `where` names the row in errors (`file:line`). A field
 * the row lacks (or holds as null, an object or an array), text fields all empty, or an empty
 * label are errors naming the field and the row. Without a map the row's own field names are
 * used (see `recordFromObject`).
 */
export function recordFromFields(
  o: Record<string, unknown>,
  fields: FieldMap,
  where: string,
): DatasetRecord {
  const known = recordFromObject(o);
  let title = known?.title;
  let body = known?.body ?? "";
  if (fields.text?.length) {
    const parts: string[] = [];
    for (const name of fields.text) {
      const v = value(o[name]);
      if (v === undefined) throw new DatasetError(`${where}: no text field "${name}"`);
      if (v) parts.push(v);
    }
    if (parts.length === 0) {
      throw new DatasetError(`${where}: text fields ${fields.text.join(", ")} are all empty`);
    }
    [title, body] = [parts[0], parts.slice(1).join(" . ")];
  }
  if (!title) throw new DatasetError(`${where}: no title, headline or text`);
  let label = known?.label;
  if (fields.label) {
    const v = value(o[fields.label]);
    if (v === undefined) throw new DatasetError(`${where}: no label field "${fields.label}"`);
    if (!v) throw new DatasetError(`${where}: label field "${fields.label}" is empty`);
    label = v;
  }
  return {
    externalId: known?.externalId ?? null,
    url: known?.url ?? null,
    source: known?.source ?? null,
    category: known?.category ?? null,
    language: known?.language ?? null,
    publishedAt: known?.publishedAt ?? null,
    title,
    body,
    label,
  };
}
