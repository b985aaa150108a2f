/**
 * Where the reviewer is in the session, how many items they hold, how many decisions
 * are pending and saved, and the queue's counts.
 */
import type { DeskState } from "./state.ts";
import { heldCount, queueCounts, saveStatus } from "./selectors.ts";

export function StatusLine(props: { state: DeskState }) {
  const { entries, cursor, stats, done } = props.state;
  const counts = queueCounts(stats);
  return (
    <div class="status-line">
      <span data-testid="position">
        {entries[cursor] ? `Item ${cursor + 1} of ${entries.length} this session` : "\u00a0"}
        {` · ${heldCount(entries)} held`}
      </span>
      <span
        data-testid="save-status"
        data-pending={props.state.pending}
        data-saved={props.state.saved}
        class={props.state.offline ? "warn" : undefined}
      >
        {saveStatus(props.state)}
      </span>
      <span data-testid="queue-counts">
        {counts === null
          ? ""
          : `Queue: ${counts.open} open · ${counts.finished} finished · you: ${done} now`}
      </span>
    </div>
  );
}
