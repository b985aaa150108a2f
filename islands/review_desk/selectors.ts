/**
 * What the review desk reads off its state: the item shown, what to claim next, what
 * Enter does, the request body of a decision, the counts on the status line.
 */
import type { ReviewStats } from "../types.ts";
import type { DeskState, Entry } from "./state.ts";
import type { Decision } from "./text.ts";

/**
 * Items kept claimed beyond the current one. Decisions move on without waiting for the
 * network, so a quick reviewer gets through a few items while a claim is on its way.
 */
export const AHEAD = 5;

/** The item shown, if the cursor is on one. */
export function currentEntry(state: DeskState): Entry | undefined {
  return state.entries[state.cursor];
}

/**
 * Items kept claimed beyond the current one while the reviewer decides faster than a
 * claim comes back (a burst of keys): one claim then covers the burst.
 */
export const BURST_AHEAD = 12;

/** Decisions this close together (ms) make a burst. */
export const BURST_GAP_MS = 250;

/**
 * How many undecided items lie at or after `at`, and how many more to claim so that
 * the current one plus `keep` ({@link AHEAD}, or {@link BURST_AHEAD} in a burst) are
 * held (0 or less: none).
 */
export function claimWant(
  entries: readonly Entry[],
  at: number,
  keep: number = AHEAD,
): { ahead: number; want: number } {
  const ahead = entries.slice(at).filter((e) => !e.decision).length;
  return { ahead, want: 1 + keep - ahead };
}

/** What Enter does on the current item: accept the model's label, or save the one picked. */
export function submitDecision(state: DeskState): Decision | null {
  const current = currentEntry(state);
  if (!current) return null;
  const { selected } = state;
  return !selected || selected === current.item.predictedLabel
    ? { action: "accept" }
    : { action: "label", label: selected };
}

/** What the API is sent for a decision (`POST /v1/review/decisions`, with its ids). */
export function decisionBody(
  decision: Decision,
): { action: Decision["action"]; label?: string; flagReason?: string } {
  return decision.action === "label"
    ? { action: "label", label: decision.label }
    : decision.action === "flag"
    ? { action: "flag", flagReason: decision.flagReason }
    : { action: decision.action };
}

/** Undecided items of the session: those held on the reviewer's lease. */
export function heldCount(entries: readonly Entry[]): number {
  return entries.filter((e) => !e.decision).length;
}

/** Open and finished items of the whole queue, from the stats (null before they come). */
export function queueCounts(
  stats: ReviewStats | null,
): { open: number; finished: number } | null {
  if (!stats) return null;
  const n = (status: string) => stats.byStatus[status] ?? 0;
  return {
    open: n("queued") + n("claimed") + n("labelled"),
    finished: n("done") + n("skipped") + n("flagged") + n("needs_adjudication"),
  };
}

/** The status line's word on saving: pending and saved decisions, and whether it is stuck. */
export function saveStatus(
  state: Pick<DeskState, "pending" | "saved" | "recovered" | "offline">,
): string {
  const { pending, saved, recovered, offline } = state;
  const earlier = recovered ? ` (${recovered} from your last visit)` : "";
  if (pending === 0) return saved ? `All saved: ${saved}${earlier}` : "";
  const stuck = offline ? " · server unreachable, retrying" : "";
  return `${pending} pending${stuck} · ${saved} saved${earlier}`;
}
