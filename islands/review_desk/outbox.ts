/**
 * The review desk's outbox: decisions made on the page and not yet confirmed by
 * the server, kept in `localStorage` (one list per reviewer) from the moment they
 * are made until the server answers for them. A page that goes before its
 * decisions are sent, or sends them while the server is down, leaves them there,
 * and the next load sends them again; each carries the id the desk made for it,
 * so the server stores it once however often it is sent.
 *
 * Without usable storage (disabled, full) the list lives in memory only.
 */

/** A decision on its way, as `POST /v1/review/decisions` takes it. */
export interface OutgoingDecision {
  decisionId: string;
  itemId: number;
  action: "accept" | "label" | "skip" | "flag";
  label?: string;
  flagReason?: string;
}

/** Most decisions kept: far beyond what a reviewer makes while a server is away. */
export const OUTBOX_MAX = 1000;

/** The `localStorage` key of a reviewer's outbox. */
export function outboxKey(reviewer: string): string {
  return `newsintel.desk.outbox.${reviewer}`;
}

const isDecision = (d: unknown): d is OutgoingDecision =>
  typeof d === "object" && d !== null &&
  typeof (d as OutgoingDecision).decisionId === "string" &&
  Number.isSafeInteger((d as OutgoingDecision).itemId) &&
  ["accept", "label", "skip", "flag"].includes((d as OutgoingDecision).action);

/** The decisions not yet confirmed, oldest first. */
export class Outbox {
  #memory: OutgoingDecision[] = [];

  constructor(
    readonly storage: Pick<Storage, "getItem" | "setItem"> | null,
    readonly key: string,
  ) {}

  /** Every decision waiting (other tabs' of the same reviewer included), oldest first. */
  list(): OutgoingDecision[] {
    if (!this.storage) return [...this.#memory];
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.key) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter(isDecision) : [];
    } catch {
      return [...this.#memory];
    }
  }

  get size(): number {
    return this.list().length;
  }

  add(decision: OutgoingDecision): void {
    this.#write([...this.list(), decision].slice(-OUTBOX_MAX));
  }

  /** Drops the decisions with these ids (answered by the server). */
  remove(decisionIds: ReadonlySet<string>): void {
    this.#write(this.list().filter((d) => !decisionIds.has(d.decisionId)));
  }

  #write(list: OutgoingDecision[]): void {
    this.#memory = list;
    try {
      this.storage?.setItem(this.key, JSON.stringify(list));
    } catch {
      // Storage full or refused: the memory copy still serves this page.
    }
  }
}

/** The page's `localStorage`, or null where it cannot be used (disabled, sandboxed). */
export function pageStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
