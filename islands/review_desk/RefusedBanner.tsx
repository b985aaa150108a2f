/**
 * Decisions the server refused after the desk had moved on (the lease ran out, another
 * reviewer took the item, or a decision from an earlier visit came too late): listed
 * until dismissed, so the reviewer learns which of their decisions did not count.
 */
import type { Refusal } from "./state.ts";

export function RefusedBanner(props: { refused: Refusal[]; onDismiss: () => void }) {
  if (!props.refused.length) return null;
  return (
    <div class="flash error" role="alert" data-testid="refused">
      <strong>
        {props.refused.length === 1
          ? "A decision was not saved:"
          : `${props.refused.length} decisions were not saved:`}
      </strong>
      <ul>
        {props.refused.map((r) => (
          <li data-item-id={r.itemId}>
            #{r.itemId}: {r.message}
          </li>
        ))}
      </ul>
      <button type="button" onClick={props.onDismiss}>Dismiss</button>
    </div>
  );
}
