/** The keyboard shortcuts, always in view. */
import { Key } from "./Key.tsx";

export function ShortcutsHelp() {
  return (
    <div class="keys" aria-label="Keyboard shortcuts">
      <span>
        <Key k="1" />…<Key k="9" /> choose label
      </span>
      <span>
        <Key k="Enter" /> accept / save
      </span>
      <span>
        <Key k="S" /> skip
      </span>
      <span>
        <Key k="F" /> flag
      </span>
      <span>
        <Key k="U" /> undo
      </span>
      <span>
        <Key k="J" /> next
      </span>
      <span>
        <Key k="K" /> previous
      </span>
      <span>
        <Key k="Esc" /> cancel
      </span>
    </div>
  );
}
