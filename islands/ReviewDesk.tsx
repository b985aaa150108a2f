/**
 * The review desk: one article at a time, driven from the keyboard. Items are
 * claimed ahead (the current one plus `AHEAD` more on a lease) and decisions are
 * written in the background, in order, so the next item shows the moment a
 * decision is made; a decision not yet written survives the page (review_desk/outbox.ts).
 * Talks to `/v1/review/*` only.
 * The state and its changes live in `review_desk/` (state.ts, controller.ts, the
 * hook); this island lays out the views.
 */
import { DeskActions } from "./review_desk/DeskActions.tsx";
import { FlagPicker } from "./review_desk/FlagPicker.tsx";
import { Flash } from "./review_desk/Flash.tsx";
import { ItemCard } from "./review_desk/ItemCard.tsx";
import { LabelChoices } from "./review_desk/LabelChoices.tsx";
import { NoItem } from "./review_desk/NoItem.tsx";
import { RefusedBanner } from "./review_desk/RefusedBanner.tsx";
import { currentEntry } from "./review_desk/selectors.ts";
import { ShortcutsHelp } from "./review_desk/ShortcutsHelp.tsx";
import { StatusLine } from "./review_desk/StatusLine.tsx";
import { useReviewDesk } from "./review_desk/use_review_desk.ts";

export interface ReviewDeskProps {
  /** The signed-in reviewer (API-key name). */
  reviewer: string;
  /** Flag reasons the API accepts, in key order (1..n in the flag picker). */
  flagReasons: string[];
  /** Review only this taxonomy's predictions (all when absent). */
  taxonomy?: string;
}

export default function ReviewDesk(props: ReviewDeskProps) {
  const { state, desk } = useReviewDesk(props.reviewer, props.flagReasons, props.taxonomy);
  const current = currentEntry(state);
  const { selected } = state;
  return (
    <div class="review" data-testid="review-desk">
      <section class="card" aria-live="polite">
        <StatusLine state={state} />
        <RefusedBanner
          refused={state.refused}
          onDismiss={() => desk.dispatch({ type: "dismissRefused" })}
        />
        {state.message && <Flash message={state.message} />}
        {!state.loaded && <p class="muted">Loading your items…</p>}
        {state.loaded && !current && <NoItem empty={state.empty} />}
        {current && <ItemCard entry={current} />}
      </section>
      <aside class="card">
        {current
          ? (
            <LabelChoices
              item={current.item}
              selected={selected}
              decided={current.decision}
              onPick={(label) => desk.dispatch({ type: "select", label })}
            />
          )
          : <p class="muted">No item.</p>}
        {state.flagging && (
          <FlagPicker
            reasons={props.flagReasons}
            onFlag={(r) => desk.decide({ action: "flag", flagReason: r })}
          />
        )}
        <DeskActions
          hasItem={Boolean(current)}
          busy={state.busy}
          relabel={selected && current && selected !== current.item.predictedLabel
            ? selected
            : null}
          onSubmit={() => desk.submit()}
          onSkip={() => desk.decide({ action: "skip" })}
          onFlag={() => desk.dispatch({ type: "toggleFlagging" })}
          onUndo={() => desk.undo()}
        />
        <hr />
        <ShortcutsHelp />
      </aside>
    </div>
  );
}
