/** The desk's buttons, each with its key: accept or save the label, skip, flag, undo. */
import { Key } from "./Key.tsx";

export interface DeskActionsProps {
  /** An item is under the cursor. */
  hasItem: boolean;
  busy: boolean;
  /** The label Enter would save instead of accepting the model's (null: accept). */
  relabel: string | null;
  onSubmit: () => void;
  onSkip: () => void;
  onFlag: () => void;
  onUndo: () => void;
}

export function DeskActions(props: DeskActionsProps) {
  const idle = !props.hasItem || props.busy;
  return (
    <div class="actions desk-actions">
      <button type="button" class="primary" disabled={idle} onClick={props.onSubmit}>
        <Key k="Enter" /> {props.relabel ? `Label ${props.relabel}` : "Accept"}
      </button>
      <button type="button" disabled={idle} onClick={props.onSkip}>
        <Key k="S" /> Skip
      </button>
      <button type="button" disabled={idle} onClick={props.onFlag}>
        <Key k="F" /> Flag
      </button>
      <button type="button" disabled={props.busy} onClick={props.onUndo}>
        <Key k="U" /> Undo
      </button>
    </div>
  );
}
