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

export function fraction(value: string, flag: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${flag} takes a number in [0, 1).`);
  return n;
}
