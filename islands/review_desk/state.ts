/**
 * The review desk's state and every change to it, as a pure reducer. The hook
 * (use_review_desk.ts) talks to the API and hands each answer in as an action, so
 * what the desk does with an answer is testable without a browser.
 *
 * A decision is optimistic: the desk records it and shows the next item at once, and
 * the write follows in the background (`pending` until the API answers). A write the
 * server refuses gives the item back at the cursor, undecided, with the error, so the
 * reviewer can decide it again; one whose lease was lost drops it and is listed among
 * the refused, as is any refusal of a decision sent again from an earlier visit.
 */
import type { ReviewItem, ReviewStats } from "../types.ts";
import { type Decision, describe } from "./text.ts";

/** What the desk says when a decided item is decided again. */
export const ALREADY_DECIDED = "Already decided: press U to undo it, or J for the next item.";

/** An item of this session and the decision made on it here, if any. */
export interface Entry {
  item: ReviewItem;
  decision: Decision | null;
  /** The decision is on its way to the API (not yet confirmed). */
  pending?: boolean;
}

/** A decision the server refused after the desk had moved on: the reviewer must learn it. */
export interface Refusal {
  itemId: number;
  message: string;
}

/** Refusals kept for the banner (the newest). */
const REFUSALS_SHOWN = 20;

/** The line above the item: news, or an error (shown as an alert). */
export interface Message {
  text: string;
  error?: boolean;
}

export interface DeskState {
  /** The session's items, claimed or decided, in the order they came. */
  entries: Entry[];
  /** Index of the item shown; `entries.length` is past the last one. */
  cursor: number;
  /** The label picked for the current item (none: the model's). */
  selected: string | null;
  /** The flag picker is open. */
  flagging: boolean;
  /** An undo is on its way (decisions never wait: their writes are queued). */
  busy: boolean;
  /** The items already held have been read. */
  loaded: boolean;
  /** The last claim found nothing to claim and nothing is left ahead. */
  empty: boolean;
  message: Message | null;
  stats: ReviewStats | null;
  /** Decisions made in this session, less those undone. */
  done: number;
  /** Decisions waiting to be sent or confirmed (this page's and any left by an earlier one). */
  pending: number;
  /** Decisions the server confirmed since the page loaded. */
  saved: number;
  /** Of those, decisions an earlier visit made and this page sent again. */
  recovered: number;
  /** The last send found no server (or a failing one): the desk keeps trying. */
  offline: boolean;
  /** Decisions refused once the desk had moved on (lease lost, item taken, earlier visit). */
  refused: Refusal[];
}

export const initialDeskState: DeskState = {
  entries: [],
  cursor: 0,
  selected: null,
  flagging: false,
  busy: false,
  loaded: false,
  empty: false,
  message: null,
  stats: null,
  done: 0,
  pending: 0,
  saved: 0,
  recovered: 0,
  offline: false,
  refused: [],
};

export type DeskAction =
  /** The items already held on arrival (none, with the error, when they could not be read). */
  | { type: "held"; items: ReviewItem[]; error?: string }
  /** A claim's answer; `ahead` undecided items lay at or after the cursor when it was sent. */
  | { type: "claimed"; items: ReviewItem[]; ahead: number }
  | { type: "stats"; stats: ReviewStats }
  | { type: "notice"; text: string; error?: boolean }
  | { type: "move"; to: number }
  | { type: "select"; label: string }
  | { type: "toggleFlagging" }
  | { type: "cancel" }
  /** An undo was sent. */
  | { type: "busy" }
  /** The reviewer decided `item` (as it was then): recorded at once, its write queued. */
  | { type: "decided"; item: ReviewItem; decision: Decision }
  /** The API recorded the decision on `itemId` and answered with `update`. */
  | { type: "saved"; itemId: number; update: ReviewItem }
  | { type: "decideFailed"; itemId: number; status: number; message: string }
  /** The outbox now holds `pending` decisions; `offline`: the last send reached no server. */
  | { type: "outbox"; pending: number; offline: boolean }
  | { type: "dismissRefused" }
  | { type: "undone"; item: ReviewItem; undone: Decision }
  | { type: "undoFailed"; code: string; message: string };

/** The desk's next state after `action`. */
export function reviewDeskReducer(state: DeskState, action: DeskAction): DeskState {
  switch (action.type) {
    case "held":
      return {
        ...state,
        entries: action.items.map((item) => ({ item, decision: null })),
        loaded: true,
        message: action.error === undefined ? state.message : { text: action.error, error: true },
      };
    case "claimed":
      return claimed(state, action.items, action.ahead);
    case "stats":
      return { ...state, stats: action.stats };
    case "notice":
      return { ...state, message: noticeOf(action.text, action.error) };
    case "move": {
      const cursor = Math.max(0, Math.min(action.to, state.entries.length));
      return { ...state, cursor, selected: null, flagging: false };
    }
    case "select":
      return { ...state, selected: action.label };
    case "toggleFlagging":
      return { ...state, flagging: !state.flagging };
    case "cancel":
      return { ...state, flagging: false, selected: null };
    case "busy":
      return { ...state, busy: true };
    case "decided":
      return decided(state, action);
    case "saved": {
      const known = state.entries.some((e) => e.item.id === action.itemId);
      return {
        ...state,
        saved: state.saved + 1,
        recovered: state.recovered + (known ? 0 : 1),
        entries: state.entries.map((e) =>
          e.item.id === action.itemId
            ? { item: { ...e.item, ...action.update }, decision: e.decision }
            : e
        ),
      };
    }
    case "decideFailed":
      return decideFailed(state, action);
    case "outbox":
      return state.pending === action.pending && state.offline === action.offline
        ? state
        : { ...state, pending: action.pending, offline: action.offline };
    case "dismissRefused":
      return { ...state, refused: [] };
    case "undone":
      return undone(state, action.item, action.undone);
    case "undoFailed":
      // "Nothing to undo" is news, not an error.
      return {
        ...state,
        busy: false,
        message: { text: action.message, error: !/nothing/i.test(action.code) },
      };
  }
}

function noticeOf(text: string, error?: boolean): Message {
  return error === undefined ? { text } : { text, error };
}

function claimed(state: DeskState, items: ReviewItem[], ahead: number): DeskState {
  const known = new Set(state.entries.map((e) => e.item.id));
  const fresh = items.filter((i) => !known.has(i.id));
  if (fresh.length) {
    const entries = [...state.entries, ...fresh.map((item) => ({ item, decision: null }))];
    return { ...state, entries, empty: false };
  }
  return ahead === 0 ? { ...state, empty: true } : state;
}

function decided(state: DeskState, action: { item: ReviewItem; decision: Decision }): DeskState {
  const { item, decision } = action;
  const recorded = { ...decision, label: decision.label ?? item.predictedLabel };
  const entries = state.entries.map((e) =>
    e.item.id === item.id ? { item: e.item, decision: recorded, pending: true } : e
  );
  return {
    ...state,
    flagging: false,
    selected: null,
    entries,
    done: state.done + 1,
    message: { text: `#${item.id} ${describe(recorded)}.` },
    cursor: state.cursor + 1,
  };
}

/**
 * A decision's write failed. Lost lease (expired, or taken over): the item is no longer
 * ours, so it goes. Anything else: the item comes back undecided at the cursor, the
 * front of what the reviewer sees, to be decided again.
 */
function decideFailed(
  state: DeskState,
  { itemId, status, message }: { itemId: number; status: number; message: string },
): DeskState {
  const at = state.entries.findIndex((e) => e.item.id === itemId);
  const failed = state.entries[at];
  const counted = failed?.decision ? 1 : 0;
  const rest = state.entries.filter((e) => e.item.id !== itemId);
  // Removing an entry before the cursor moves the cursor's item one place up.
  const cursor = Math.min(state.cursor - (at >= 0 && at < state.cursor ? 1 : 0), rest.length);
  const settled = {
    ...state,
    flagging: false,
    selected: null,
    done: Math.max(0, state.done - counted),
    cursor,
  };
  if (!failed || lostLease(status)) {
    const refused = [...state.refused, { itemId, message }].slice(-REFUSALS_SHOWN);
    return { ...settled, entries: rest, refused, message: { text: message, error: true } };
  }
  const back = { item: failed.item, decision: null };
  return {
    ...settled,
    entries: [...rest.slice(0, cursor), back, ...rest.slice(cursor)],
    message: { text: `${message} #${itemId} is back: decide it again.`, error: true },
  };
}

/** The undone item is ours again: back where it was, or, if this session never had it, here. */
function undone(state: DeskState, item: ReviewItem, decision: Decision): DeskState {
  let entries = state.entries;
  let at = entries.findIndex((e) => e.item.id === item.id);
  if (at >= 0) {
    entries = entries.map((
      e,
      i,
    ) => (i === at ? { item: { ...e.item, ...item }, decision: null } : e));
  } else {
    at = Math.min(state.cursor, entries.length);
    entries = [...entries.slice(0, at), { item, decision: null }, ...entries.slice(at)];
  }
  return {
    ...state,
    busy: false,
    entries,
    cursor: at,
    selected: null,
    done: Math.max(0, state.done - 1),
    message: { text: `Undid: #${item.id} ${describe(decision)}. It is yours again.` },
  };
}

/** A decision answered with this status lost its item: the lease expired or was taken over. */
export function lostLease(status: number): boolean {
  return status === 409 || status === 404;
}
