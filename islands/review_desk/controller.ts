/**
 * The review desk's work: claims items ahead, sends decisions and undos to
 * `/v1/review/*`, turns key commands into actions, and hands undecided items back.
 * It keeps the latest state itself, updated through the reducer the moment an answer
 * comes, because the claim loop, the key handler and the answers outlive renders.
 * The API is passed in, so all of it runs without a browser.
 *
 * A decision never waits for the network: the next item shows at once and the
 * decision, with an id made here, goes into the outbox (outbox.ts, kept in
 * `localStorage`), which one sender empties in order, in batches, into
 * `POST /v1/review/decisions`, retrying while the server is unreachable. An undo
 * waits for the outbox, so it undoes the decision it should. As the page goes, what
 * is left is sent in one last request that outlives the page ({@link leave}), and the
 * next load sends it again in case that one was lost (the ids make it count once).
 * The queue counts are fetched once the writes settle, debounced, so they never hold
 * up a key press.
 */
import { api as callApi, sendOnExit } from "../api.ts";
import type { ReviewItem, ReviewStats } from "../types.ts";
import type { KeyCommand } from "./keys.ts";
import { Outbox, outboxKey, type OutgoingDecision, pageStorage } from "./outbox.ts";
import {
  AHEAD,
  BURST_AHEAD,
  BURST_GAP_MS,
  claimWant,
  currentEntry,
  decisionBody,
  submitDecision,
} from "./selectors.ts";
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
  /** The signed-in reviewer: whose outbox this page keeps. */
  reviewer: string;
  /** Flag reasons the API accepts, in key order. */
  flagReasons: string[];
  /** Claim and count only this taxonomy's items (all when absent). */
  taxonomy?: string;
  /** Called with each new state (the hook re-renders with it). */
  onChange: (state: DeskState) => void;
  /** The JSON API client (default: islands/api.ts). */
  api?: typeof callApi;
  /** Fire-and-forget write as the page goes (default: islands/api.ts). */
  sendOnExit?: (path: string, body: unknown) => void;
  /** Where the outbox is kept (default: the page's localStorage; null: memory only). */
  storage?: Pick<Storage, "getItem" | "setItem"> | null;
  /** Makes decision ids (default: crypto.randomUUID). */
  newId?: () => string;
  /** Quiet time after the last write before the queue counts are fetched (default 300 ms). */
  statsDelayMs?: number;
  /** First wait before sending again to an unreachable server, doubled up to 2 s (default 250). */
  retryMs?: number;
}

/** Default quiet time before the counts are fetched: a reviewer's burst of keys is one fetch. */
const STATS_DELAY_MS = 300;
/** Decisions per request while the page lives. */
const SEND_BATCH = 50;
/** Decisions, and items given back, in the request sent as the page goes (64 KB at most). */
const EXIT_BATCH = 200;
/** The longest wait between sends to an unreachable server. */
const RETRY_MAX_MS = 2000;

/** One decision's answer in a batch (routes/api/review/batch.ts). */
type DecisionResult =
  | { decisionId: string; itemId: number; ok: true; item: ReviewItem }
  | { decisionId: string; itemId: number; ok: false; status: number; message: string };

/** A failed request worth sending again: no server, a failing one, or too many requests. */
const retryable = (status: number) =>
  status === 0 || status === 401 || status === 403 || status === 408 || status === 429 ||
  status >= 500;

export class DeskController {
  #state: DeskState = initialDeskState;
  #claiming = false;
  readonly #outbox: Outbox;
  /** The sender is out (one request at a time keeps the decisions in order). */
  #sending = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = 0;
  /** Waiting for the outbox to empty (an undo). */
  #drained: Array<() => void> = [];
  #statsTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #api: typeof callApi;
  readonly #sendOnExit: (path: string, body: unknown) => void;
  readonly #newId: () => string;
  /** This page's desk id: its claims are made under it, and given back by it as it goes. */
  readonly #desk: string;
  /** When the last decision was made (performance.now()), and whether it came in a burst. */
  #lastDecidedAt = -Infinity;
  #burst = false;

  constructor(readonly deps: DeskDeps) {
    this.#api = deps.api ?? callApi;
    this.#sendOnExit = deps.sendOnExit ?? sendOnExit;
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
    this.#desk = this.#newId();
    const storage = deps.storage === undefined ? pageStorage() : deps.storage;
    this.#outbox = new Outbox(storage, outboxKey(deps.reviewer));
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

  /**
   * Sends what an earlier visit left in the outbox, then reads the items already held
   * (less those the outbox still decides), claims up to the ones ahead and fetches the stats.
   */
  async start(): Promise<void> {
    this.#syncOutbox(false);
    if (this.#outbox.size) await this.#send();
    // Taken over by this page, so the goodbye of the page before gives back only its own.
    const held = await this.#api<{ items: ReviewItem[] }>("POST", "/v1/review/claims", {
      desk: this.#desk,
    });
    const waiting = new Set(this.#outbox.list().map((d) => d.itemId));
    this.dispatch(
      held.ok
        ? { type: "held", items: held.data.items.filter((i) => !waiting.has(i.id)) }
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
    const keep = this.#burst ? BURST_AHEAD : AHEAD;
    const { ahead, want } = claimWant(this.#state.entries, this.#state.cursor, keep);
    if (want <= 0) return;
    this.#claiming = true;
    const r = await this.#api<{ items: ReviewItem[] }>("POST", "/v1/review/claim", {
      limit: want,
      desk: this.#desk,
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
   * Records `decision` on the current item and moves on at once; the decision goes
   * into the outbox (stored before anything else happens) and is sent from there.
   * Returns when it is queued, not when it is written (see {@link settled}).
   */
  decide(decision: Decision): void {
    const entry = currentEntry(this.#state);
    if (!entry || this.#state.busy) return;
    if (entry.decision) return this.dispatch({ type: "notice", text: ALREADY_DECIDED });
    const { item } = entry;
    const now = performance.now();
    this.#burst = now - this.#lastDecidedAt < BURST_GAP_MS;
    this.#lastDecidedAt = now;
    this.#outbox.add({ decisionId: this.#newId(), itemId: item.id, ...decisionBody(decision) });
    this.dispatch({ type: "decided", item, decision });
    this.#syncOutbox(this.#state.offline);
    clearTimeout(this.#statsTimer);
    // The claim first: the reviewer may soon wait for its items, never for the write.
    void this.topUp();
    if (!this.#retryTimer) void this.#send();
  }

  /** Sends the outbox now (the page is being hidden: it may not get another chance). */
  flush(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    void this.#send();
  }

  /** Resolves once the outbox is empty: every decision made so far has its answer. */
  settled(): Promise<void> {
    if (this.#outbox.size === 0 && !this.#sending) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Decisions not yet confirmed by the server. */
  get pendingWrites(): number {
    return this.#outbox.size;
  }

  /**
   * Empties the outbox into `POST /v1/review/decisions`, a batch at a time, in order.
   * A batch that reaches no server (or a failing one) stays, and is sent again after a
   * wait that doubles up to 2 s; a decision the server refuses leaves the outbox with
   * its refusal shown.
   */
  async #send(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    let offline = false;
    try {
      for (let batch = this.#outbox.list(); batch.length; batch = this.#outbox.list()) {
        batch = batch.slice(0, SEND_BATCH);
        const r = await this.#api<{ results: DecisionResult[] }>(
          "POST",
          "/v1/review/decisions",
          { decisions: batch },
        );
        if (!r.ok && retryable(r.status)) {
          offline = true;
          break;
        }
        const results: DecisionResult[] = r.ok ? r.data.results : batch.map((d) => ({
          ...d,
          ok: false as const,
          status: r.status,
          message: r.message,
        }));
        this.#outbox.remove(new Set(results.map((x) => x.decisionId)));
        for (const x of results) this.#answered(x);
        this.#retryMs = 0;
        this.#syncOutbox(false);
      }
    } finally {
      this.#sending = false;
    }
    this.#syncOutbox(offline);
    if (offline) return this.#retryLater();
    for (const resolve of this.#drained.splice(0)) resolve();
    this.#scheduleStats();
    // Claims that failed while the server was away are made now (not before start reads).
    if (this.#state.loaded) void this.topUp();
  }

  #answered(x: DecisionResult): void {
    if (x.ok) return this.dispatch({ type: "saved", itemId: x.itemId, update: x.item });
    this.dispatch({ type: "decideFailed", itemId: x.itemId, status: x.status, message: x.message });
    if (lostLease(x.status) && this.#state.loaded) void this.topUp();
  }

  #retryLater(): void {
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2 || (this.deps.retryMs ?? 250));
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#send();
    }, this.#retryMs);
  }

  #syncOutbox(offline: boolean): void {
    this.dispatch({ type: "outbox", pending: this.#outbox.size, offline });
  }

  /** Fetches the counts after a quiet time with no write waiting. */
  #scheduleStats(): void {
    clearTimeout(this.#statsTimer);
    this.#statsTimer = setTimeout(() => {
      if (this.#outbox.size === 0) void this.refreshStats();
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
    await this.settled();
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

  /** Stops the timers (the desk is going away). */
  stop(): void {
    clearTimeout(this.#statsTimer);
    clearTimeout(this.#retryTimer);
  }

  /** Decisions made here or on an earlier visit are not confirmed yet. */
  hasUnsaved(): boolean {
    return this.#outbox.size > 0;
  }

  /**
   * The page is going: sends what the outbox holds and gives back every undecided
   * item — those shown, and all claimed under this page's desk (a claim whose answer
   * is still on its way included) — in one request that outlives the page. Its answer
   * is never read, so the outbox keeps the decisions; the next load sends them again
   * (stored once).
   */
  leave(): void {
    const decisions: OutgoingDecision[] = this.#outbox.list().slice(0, EXIT_BATCH);
    const release = this.#state.entries.filter((e) => !e.decision).map((e) => e.item.id)
      .slice(0, EXIT_BATCH);
    this.#sendOnExit("/v1/review/decisions", { decisions, release, releaseDesk: this.#desk });
  }
}
