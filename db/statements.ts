/**
 * Batch writes in statements of a bounded number of rows, with turns of the event loop
 * between them. The embedded database runs each statement synchronously on the event
 * loop, and a chain of awaited statements resumes in microtasks only: one statement over
 * a whole batch of 500 articles, or a transaction of many, would hold every other
 * request, `/health` included, for as long as it runs.
 *
 * The turns are taken here, by the writes that are long, not by the driver for every
 * statement: a short request's statements still run straight through, one request after
 * another, as they always did on the embedded database (turns there would let requests
 * interleave that never did, and cost a small transaction its speed).
 */
import { turnWhenBlocked } from "../lib/slices.ts";

/**
 * Rows one statement of a batch write carries at most: a few ms of work each on the
 * embedded database, and few enough round trips on PostgreSQL to cost nothing there.
 */
export const ROWS_PER_STATEMENT = 100;

/**
 * Characters of text (article bodies, summaries, terms) one statement carries at most:
 * two articles of 10 KB with their summaries and terms. Parsing and indexing text is the
 * slowest part of a write: on the embedded database a statement of five such articles
 * took 25-50 ms, and up to 150 ms on a loaded machine.
 */
export const CHARS_PER_STATEMENT = 30_000;

/**
 * Resolves at once, or on a later turn of the event loop once it has gone a few ms
 * without one (lib/slices.ts `turnWhenBlocked`; shared, so every long write counts the
 * same blocked time). Awaited between the statements of a long write.
 */
export const statementTurn: () => Promise<void> | undefined = turnWhenBlocked();

/**
 * Runs `write` on consecutive chunks of at most `size` rows of `rows`, one after the
 * other, in order (statements of one transaction: rows sorted in key order stay so).
 * A write of more than one chunk awaits {@link statementTurn} before each; one of a
 * single chunk (a short request's) runs straight on.
 *
 * @example
 * ```ts
 * await inStatements(rows, (chunk) => db.query(sql, [JSON.stringify(chunk)]));
 * ```
 */
export async function inStatements<T, R>(
  rows: readonly T[],
  write: (chunk: T[]) => Promise<R>,
  size = ROWS_PER_STATEMENT,
): Promise<R[]> {
  const out: R[] = [];
  const long = rows.length > size;
  for (let from = 0; from < rows.length; from += size) {
    if (long) await statementTurn();
    out.push(await write(rows.slice(from, from + size)));
  }
  return out;
}
