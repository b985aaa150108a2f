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
