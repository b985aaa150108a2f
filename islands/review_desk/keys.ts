/** The review desk's keyboard shortcuts: which key means what. */

/** What a key press asks the desk to do. */
export type KeyCommand =
  | { kind: "digit"; index: number }
  | { kind: PlainCommand };

/** Commands of a single key with nothing more to them. */
export type PlainCommand = "submit" | "skip" | "flag" | "undo" | "next" | "previous" | "cancel";

/** The parts of a key press the desk looks at (`tagName`: of the element it went to). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  tagName?: string;
}

/** Letter keys, either case. */
const LETTERS = new Map<string, PlainCommand>([
  ["s", "skip"],
  ["S", "skip"],
  ["f", "flag"],
  ["F", "flag"],
  ["u", "undo"],
  ["U", "undo"],
  ["j", "next"],
  ["J", "next"],
  ["k", "previous"],
  ["K", "previous"],
]);

/**
 * The command of a key press, or null for a key the desk leaves alone: any key with
 * Ctrl, Cmd or Alt (browser shortcuts), and keys typed into a form field.
 */
export function keyCommand(press: KeyPress): KeyCommand | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (press.tagName && /^(INPUT|TEXTAREA|SELECT)$/.test(press.tagName)) return null;
  const k = press.key;
  if (/^[1-9]$/.test(k)) return { kind: "digit", index: Number(k) - 1 };
  if (k === "Enter") return { kind: "submit" };
  if (k === "Escape") return { kind: "cancel" };
  const kind = LETTERS.get(k);
  return kind ? { kind } : null;
}
