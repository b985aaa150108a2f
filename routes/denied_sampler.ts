/**
 * A bound on how many refused admin actions the access audit stores: each key
 * (a configured key name, so the set of keys is bounded too) gets `perMinute`
 * refusals recorded per minute; beyond that, refusals are still refused but
 * only counted, and the key's next recorded refusal is preceded by one entry
 * saying how many were left out. A reviewer hammering an admin route then adds
 * at most `perMinute` rows a minute instead of one per request; allowed actions
 * are always recorded (they are real changes, already held by the rate limit).
 */

/** Refusals recorded per key and minute. */
export const DENIED_PER_MINUTE = 30;

/** What to do with one refusal. */
export interface DeniedVerdict {
  /** Store this refusal. */
  record: boolean;
  /** Refusals of this key left out since its last recorded one (reported before it). */
  leftOut: number;
}

/** Counts refusals per key in fixed one-minute windows. */
export class DeniedSampler {
  #windows = new Map<string, { start: number; recorded: number; leftOut: number }>();

  constructor(
    readonly perMinute: number = DENIED_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one refusal of `actor` and says whether to store it. */
  admit(actor: string): DeniedVerdict {
    const now = this.now();
    let w = this.#windows.get(actor);
    if (!w || now - w.start >= 60_000) {
      w = { start: now, recorded: 0, leftOut: w?.leftOut ?? 0 };
      this.#windows.set(actor, w);
    }
    if (w.recorded >= this.perMinute) {
      w.leftOut++;
      return { record: false, leftOut: 0 };
    }
    w.recorded++;
    const leftOut = w.leftOut;
    w.leftOut = 0;
    return { record: true, leftOut };
  }
}
