/**
 * Failed authentications per client address (a wrong `x-api-key`, a wrong key
 * on the console's sign-in): after `perMinute` of them in a one-minute window,
 * further attempts from that address are refused with 429 before the key is
 * even compared, so guessing keys is slow. In this process only, like the
 * request rate limit.
 */
import type { Context } from "hono";
import { AppError } from "../lib/errors.ts";

const WINDOW_MS = 60_000;

/** Addresses remembered at most; past that, expired windows go, then the oldest. */
const MAX_ADDRESSES = 50_000;

/** Counts failures per address in fixed one-minute windows. */
export class AuthFailures {
  #windows = new Map<string, { count: number; resetAt: number }>();

  /** `perMinute` 0 turns the limit off. */
  constructor(readonly perMinute: number, private now: () => number = Date.now) {}

  /** Seconds `addr` must wait before trying again; 0 when it may try now. */
  retryAfter(addr: string): number {
    const w = this.#windows.get(addr);
    if (!this.perMinute || !w || w.count < this.perMinute) return 0;
    const ms = w.resetAt - this.now();
    if (ms <= 0) {
      this.#windows.delete(addr);
      return 0;
    }
    return Math.ceil(ms / 1000);
  }

  /** Records one failure from `addr`. */
  record(addr: string): void {
    if (!this.perMinute) return;
    const now = this.now();
    const w = this.#windows.get(addr);
    if (w && w.resetAt > now) {
      w.count++;
      return;
    }
    this.#windows.delete(addr);
    if (this.#windows.size >= MAX_ADDRESSES) this.#evict(now);
    this.#windows.set(addr, { count: 1, resetAt: now + WINDOW_MS });
  }

  #evict(now: number): void {
    for (const [addr, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(addr);
    // Still full: a flood of addresses; forget the oldest tenth (insertion order), so
    // this scan runs once per many new addresses, not on each.
    for (const addr of this.#windows.keys()) {
      if (this.#windows.size < MAX_ADDRESSES * 0.9) break;
      this.#windows.delete(addr);
    }
  }
}

/** Throws 429 with `Retry-After` when the request's address has failed too often. */
export function refuseIfGuessing(c: Context, failures: AuthFailures, addr: string): void {
  const wait = failures.retryAfter(addr);
  if (wait > 0) {
    c.header("Retry-After", String(wait));
    throw new AppError(
      429,
      "tooManyFailures",
      `Too many wrong keys from this address; retry after ${wait} seconds.`,
    );
  }
}
