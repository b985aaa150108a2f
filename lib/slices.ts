/**
 * Bounded slices of a long piece of work: a batch is cut into slices of a few articles
 * and characters, and the event loop is given a turn (a macrotask: timers, other
 * requests, `/health`) between them, so no request holds the loop for long.
 */

/**
 * Items per slice at most: a whole batch of short articles is one slice. Each turn of the
 * loop costs a few milliseconds (nested timers are clamped to 4 ms), so slices are cut by
 * the work in them, not finer.
 */
export const SLICE_ITEMS = 500;

/**
 * Characters per slice at most: tokenizing, summarizing and storing text is synchronous
 * work linear in its length (classification bounds its runs the same way).
 */
export const SLICE_CHARS = 200_000;

/**
 * Consecutive slices of `items` of at most `maxItems` items and `maxChars` characters by
 * `charsOf` (an item longer than `maxChars` is a slice of its own), in order.
 *
 * @example
 * ```ts
 * slicesOf(["aaa", "bb", "c"], (s) => s.length, { maxChars: 4 }); // => [["aaa"], ["bb", "c"]]
 * ```
 */
export function slicesOf<T>(
  items: readonly T[],
  charsOf: (item: T) => number,
  options: { maxItems?: number; maxChars?: number } = {},
): T[][] {
  const { maxItems = SLICE_ITEMS, maxChars = SLICE_CHARS } = options;
  const slices: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const item of items) {
    const n = charsOf(item);
    if (current.length > 0 && (current.length >= maxItems || chars + n > maxChars)) {
      slices.push(current);
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += n;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Resolves on a later turn of the event loop (after pending timers and I/O callbacks). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Synchronous work between two turns of the event loop at most, in ms (see `turnTaker`). */
export const TURN_BUDGET_MS = 10;

/**
 * For a loop of synchronous steps whose cost varies (a 10 KB article costs fifty times a
 * headline): call the returned function between steps; it gives the event loop a turn once
 * `budgetMs` have passed since the last one, and resolves at once otherwise.
 */
export function turnTaker(budgetMs = TURN_BUDGET_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < budgetMs) return undefined;
    return yieldToEventLoop().then(() => {
      since = performance.now();
    });
  };
}

/**
 * {@link turnTaker} for steps that run one after another but may come from anywhere (the
 * embedded database's statements): counts only the time the event loop has gone without a
 * turn. A timer set when the count starts fires at the loop's next turn and ends it, so a
 * step after the loop had a turn (a short request's statements after idle time) runs
 * straight on, and only a long run of steps (a batch's transaction) gives the loop turns.
 */
export function turnWhenBlocked(budgetMs = TURN_BUDGET_MS): () => Promise<void> | undefined {
  let blockedSince: number | null = null;
  // The loop has just had a turn (or is about to run steps after one): count from now.
  const count = () => {
    blockedSince = performance.now();
    setTimeout(() => blockedSince = null, 0);
  };
  return () => {
    if (blockedSince === null) return void count();
    if (performance.now() - blockedSince < budgetMs) return undefined;
    return yieldToEventLoop().then(count);
  };
}
