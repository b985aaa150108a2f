/**
 * A stack of things to close, closed last-opened first: what `serve` opened (the database,
 * the served models, the metrics, the chores) comes down in the reverse order, from
 * whatever point the start-up reached.
 */
export class Closers {
  #stack: (() => unknown)[] = [];

  /** Adds `close` to run (awaited) before everything added earlier. */
  push(close: () => unknown): void {
    this.#stack.push(close);
  }

  /** Runs every closer, newest first, each once; a later call closes what was added since. */
  async close(): Promise<void> {
    while (this.#stack.length) await this.#stack.pop()!();
  }
}
