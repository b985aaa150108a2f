/**
 * The review desk's work: claims items ahead, sends decisions and undos to
 * `/v1/review/*`, turns key commands into actions, and hands undecided items back.
 * It keeps the latest state itself, updated through the reducer the moment an answer
 * comes, because the claim loop, the key handler and the answers outlive renders.
 * The API is passed in, so all of it runs without a browser.
 *
 * A decision never waits for the network: the next item shows at once and the write
 * joins a queue sent one at a time, in order (so an undo, which waits for the queue,
 * undoes the decision it should). The queue counts are fetched once the writes settle,
 * debounced, so they never hold up a key press.
 */
import { api as callApi, sendOnExit } from "../api.ts";
import type { ReviewItem, ReviewStats } from "../types.ts";
import type { KeyCommand } from "./keys.ts";
import { claimWant, currentEntry, decisionBody, submitDecision } from "./selectors.ts";
import {
  ALREADY_DECIDED,
  type DeskAction,
  type DeskState,
  initialDeskState,
  lostLease,
  reviewDeskReducer,
} from "./state.ts";
import type { Decision } from "./text.ts";

/** What the controller needs from outside. */
export interface DeskDeps {
  /** Flag reasons the API accepts, in key order. */
  flagReasons: string[];
  /** Claim and count only this taxonomy's items (all when absent). */
  taxonomy?: string;
  /** Called with each new state (the hook re-renders with it). */
  onChange: (state: DeskState) => void;
  /** The JSON API client (default: islands/api.ts). */
  api?: typeof callApi;
  /** Fire-and-forget write as the page goes (default: islands/api.ts). */
  sendOnExit?: (path: string) => void;
  /** Quiet time after the last write before the queue counts are fetched (default 300 ms). */
  statsDelayMs?: number;
}

/** Default quiet time before the counts are fetched: a reviewer's burst of keys is one fetch. */
const STATS_DELAY_MS = 300;

export class DeskController {
  #state: DeskState = initialDeskState;
  #claiming = false;
  /** The decision writes, chained so they go one at a time, in order. */
  #writes: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  #statsTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #api: typeof callApi;
  readonly #sendOnExit: (path: string) => void;

  constructor(readonly deps: DeskDeps) {
    this.#api = deps.api ?? callApi;
    this.#sendOnExit = deps.sendOnExit ?? sendOnExit;
  }

  get state(): DeskState {
    return this.#state;
  }

  dispatch(action: DeskAction): void {
    const next = reviewDeskReducer(this.#state, action);
    if (next === this.#state) return;
    this.#state = next;
    this.deps.onChange(next);
  }

  /** Reads the items already held, then claims up to the ones ahead and fetches the stats. */
  async start(): Promise<void> {
    const held = await this.#api<{ items: ReviewItem[] }>("GET", "/v1/review/claims");
    this.dispatch(
      held.ok
        ? { type: "held", items: held.data.items }
        : { type: "held", items: [], error: held.message },
    );
    await Promise.all([this.topUp(), this.refreshStats()]);
  }

  async refreshStats(): Promise<void> {
    const t = this.deps.taxonomy;
    const r = await this.#api<ReviewStats>(
      "GET",
      t ? `/v1/review/stats?taxonomy=${encodeURIComponent(t)}` : "/v1/review/stats",
    );
    if (r.ok) this.dispatch({ type: "stats", stats: r.data });
  }

  /** Claims more items when fewer than 1 + AHEAD undecided ones lie at or after the cursor. */
  async topUp(): Promise<void> {
    if (this.#claiming) return;
    const { ahead, want } = claimWant(this.#state.entries, this.#state.cursor);
    if (want <= 0) return;
    this.#claiming = true;
    const r = await this.#api<{ items: ReviewItem[] }>("POST", "/v1/review/claim", {
      limit: want,
      ...(this.deps.taxonomy ? { filters: { taxonomy: this.deps.taxonomy } } : {}),
    });
    this.#claiming = false;
    if (!r.ok) return this.dispatch({ type: "notice", text: r.message, error: true });
    this.dispatch({ type: "claimed", items: r.data.items, ahead });
    // Decisions made while a claim that got all it asked for was out may want more.
    if (r.data.items.length >= want) await this.topUp();
  }

  move(to: number): void {
    this.dispatch({ type: "move", to });
    void this.topUp();
  }

  /**
   * Records `decision` on the current item and moves on at once; the write is queued.
   * Resolves when it is queued, not when it is written (see {@link settled}).
   */
  decide(decision: Decision): void {
    const entry = currentEntry(this.#state);
    if (!entry || this.#state.busy) return;
    if (entry.decision) return this.dispatch({ type: "notice", text: ALREADY_DECIDED });
    const { item } = entry;
    this.dispatch({ type: "decided", item, decision });
    void this.topUp();
    this.#queueWrite(async () => {
      const r = await this.#api<ReviewItem>(
        "POST",
        `/v1/review/items/${item.id}/decision`,
        decisionBody(decision),
      );
      if (r.ok) return this.dispatch({ type: "saved", itemId: item.id, update: r.data });
      this.dispatch({
        type: "decideFailed",
        itemId: item.id,
        status: r.status,
        message: r.message,
      });
      if (lostLease(r.status)) void this.topUp();
    });
  }

  /** Resolves once every decision written so far has its answer. */
  settled(): Promise<void> {
    return this.#writes;
  }

  /** Decision writes not yet answered. */
  get pendingWrites(): number {
    return this.#pendingWrites;
  }

  #queueWrite(write: () => Promise<void>): void {
    this.#pendingWrites++;
    clearTimeout(this.#statsTimer);
    this.#writes = this.#writes.then(write).catch(() => {}).finally(() => {
      if (--this.#pendingWrites === 0) this.#scheduleStats();
    });
  }

  /** Fetches the counts after a quiet time with no write in flight. */
  #scheduleStats(): void {
    clearTimeout(this.#statsTimer);
    this.#statsTimer = setTimeout(() => {
      if (this.#pendingWrites === 0) void this.refreshStats();
    }, this.deps.statsDelayMs ?? STATS_DELAY_MS);
  }

  /** Enter: accept the model's label, or save the one picked. */
  submit(): void {
    const decision = submitDecision(this.#state);
    if (decision) this.decide(decision);
  }

  /** Undoes the last decision, once the writes before it have landed. */
  async undo(): Promise<void> {
    if (this.#state.busy) return;
    this.dispatch({ type: "busy" });
    await this.#writes;
    const r = await this.#api<{ item: ReviewItem; undone: Decision }>("POST", "/v1/review/undo");
    if (!r.ok) return this.dispatch({ type: "undoFailed", code: r.code, message: r.message });
    this.dispatch({ type: "undone", item: r.data.item, undone: r.data.undone });
    this.#scheduleStats();
  }

  /** Does what a key asks. */
  run(command: KeyCommand): void {
    const state = this.#state;
    switch (command.kind) {
      case "digit": {
        if (state.flagging) {
          const reason = this.deps.flagReasons[command.index];
          if (reason) this.decide({ action: "flag", flagReason: reason });
        } else {
          const label = currentEntry(state)?.item.labels[command.index];
          if (label) this.dispatch({ type: "select", label });
        }
        return;
      }
      case "submit":
        return this.submit();
      case "skip":
        return this.decide({ action: "skip" });
      case "flag":
        return this.dispatch({ type: "toggleFlagging" });
      case "undo":
        return void this.undo();
      case "next":
        return this.move(state.cursor + 1);
      case "previous":
        return this.move(state.cursor - 1);
      case "cancel":
        return this.dispatch({ type: "cancel" });
    }
  }

  /** Stops the pending counts fetch (the desk is going away). */
  stop(): void {
    clearTimeout(this.#statsTimer);
  }

  /** Hands every undecided item back to the queue (the page is going away). */
  releaseUndecided(): void {
    for (const e of this.#state.entries) {
      if (!e.decision) this.#sendOnExit(`/v1/review/items/${e.item.id}/release`);
    }
  }
}
