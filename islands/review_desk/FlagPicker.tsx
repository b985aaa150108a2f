/** The flag reasons, opened with F: 1..n or a click flags the item. */
import { Key } from "./Key.tsx";
import { FLAG_TEXT } from "./text.ts";

export function FlagPicker(props: { reasons: string[]; onFlag: (reason: string) => void }) {
  return (
    <div class="flagpick" data-testid="flag-picker">
      <strong>Flag as…</strong>
      <div class="choices">
        {props.reasons.map((r, i) => (
          <button type="button" onClick={() => props.onFlag(r)}>
            <Key k={String(i + 1)} /> {FLAG_TEXT[r] ?? r}
          </button>
        ))}
      </div>
      <p class="small muted">
        <Key k="Esc" /> cancel
      </p>
    </div>
  );
}
