/** What the card shows with no item under the cursor: the queue is empty, or the next is coming. */
import { Key } from "./Key.tsx";

export function NoItem(props: { empty: boolean }) {
  return (
    <div data-testid="empty">
      <h2>{props.empty ? "The queue is empty" : "Fetching the next item…"}</h2>
      <p class="muted">
        {props.empty
          ? "Nothing is waiting for you. This page looks again every few seconds."
          : "One moment."} Press <Key k="K" /> to go back, <Key k="U" /> to undo.
      </p>
    </div>
  );
}
