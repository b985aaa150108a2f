/**
 * Bounded work per request: the rule, and the caps more than one module applies.
 *
 * Every request does work linear in its input and capped, so that no input, with or
 * without a key, can stop the process or hold the event loop:
 *
 * - no unbounded backward scans: a scan that looks back from a position (the word before a
 *   full stop) stops after a fixed number of characters, so each position costs O(1);
 * - no regex with nested or adjacent overlapping quantifiers over user text (`(a+)+`,
 *   `\s*\n\s*`, `[,;]+$` on a long run): they backtrack quadratically or worse on a run that
 *   fails at its end; trailing runs are trimmed with a loop instead;
 * - ranges are counted arithmetically before anything is allocated: a date range becomes a
 *   number of buckets from its two ends, checked against the cap, and only then listed;
 * - loops over user input are capped: at most so many sentences scored, buckets listed,
 *   characters classified, texts per batch.
 *
 * The model code in `ml/` applies the same rule with its own bounds (the word a sentence
 * splitter looks back over, the sentences a summary scores), kept beside the code they bound
 * because `ml/` imports nothing above it. This module imports nothing, so that both routes and
 * services can take their shared caps from here.
 */

/** Longest article text accepted, in characters (an ingested body, a text to summarize). */
export const MAX_ARTICLE_CHARS = 100_000;

/** Most buckets one trends request may span (e.g. 2 years of days, 41 days of hours). */
export const MAX_BUCKETS = 1_000;

/** Earliest year a date in a query may name; trends before it hold no news. */
export const MIN_YEAR = 1900;

/** Latest year a date in a query may name. */
export const MAX_YEAR = 2199;

/**
 * Whether an ISO 8601 date string parses and falls in the years `MIN_YEAR` to `MAX_YEAR`
 * (UTC). Dates outside them are refused before any range arithmetic or query.
 *
 * @example
 * ```ts
 * inYearRange("2024-03-01T00:00:00Z"); // => true
 * inYearRange("0001-01-01T00:00:00Z"); // => false
 * ```
 */
export function inYearRange(iso: string): boolean {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return false;
  const year = new Date(t).getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR;
}
