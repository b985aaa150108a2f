/** Parsers for option values, reporting bad values the commander way. */
import { InvalidArgumentError } from "@commander-js/extra-typings";

export function wholeNumber(
  value: string,
  flag: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${flag} takes a whole number from ${min} to ${max}.`);
  }
  return n;
}

/** Field names from a comma-separated list (`--text-field headline,short_description`). */
export function fieldNames(value: string, flag: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.length > 16 || names.some((n) => n === "" || n.length > 200)) {
    throw new InvalidArgumentError(
      `${flag} takes 1 to 16 comma-separated field names, none empty.`,
    );
  }
  return names;
}

/** One field name (`--label-field category`). */
export function fieldName(value: string, flag: string): string {
  const [name, ...rest] = fieldNames(value, flag);
  if (rest.length) throw new InvalidArgumentError(`${flag} takes one field name.`);
  return name;
}

export const TEXT_FIELD_HELP =
  "JSON Lines or CSV field(s) holding the text, comma-separated, joined with ' . ' " +
  "(default: text, or title/headline and body/short_description)";
export const LABEL_FIELD_HELP = "JSON Lines or CSV field holding the label (default: label)";

/** The data set field map of `--text-field` and `--label-field`, when either is given. */
export function fieldMap(
  options: { textField?: string[]; labelField?: string },
): { text?: string[]; label?: string } | undefined {
  if (!options.textField && !options.labelField) return undefined;
  return { text: options.textField, label: options.labelField };
}
