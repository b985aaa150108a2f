/** The labels of the current item with the model's scores; 1..9 or a click picks one. */
import type { ReviewItem } from "../types.ts";
import { ScoreBar } from "./ScoreBar.tsx";
import type { Decision } from "./text.ts";

export function LabelChoices(props: {
  item: ReviewItem;
  selected: string | null;
  decided: Decision | null;
  onPick: (label: string) => void;
}) {
  const { item, selected, decided } = props;
  const top = item.predictedLabel;
  return (
    <div>
      <h3>Label</h3>
      <p class="small muted">
        model <span class="mono">{item.modelVersion}</span>
      </p>
      <div class="choices" role="listbox" aria-label="Labels">
        {item.labels.map((label, i) => {
          const p = item.scores[label] ?? 0;
          const isSelected = selected === label || (!selected && !decided && label === top);
          const chosen = decided?.label === label && decided.action !== "skip" &&
            decided.action !== "flag";
          return (
            <button
              type="button"
              role="option"
              aria-selected={isSelected}
              class={`choice${isSelected ? " selected" : ""}${label === top ? " predicted" : ""}`}
              onClick={() => props.onPick(label)}
            >
              <kbd>{i < 9 ? String(i + 1) : ""}</kbd>
              <span class="name">{label}</span>
              <span class="num">{(p * 100).toFixed(0)}%</span>
              <ScoreBar value={p} variant={chosen ? "chosen" : label === top ? "top" : undefined} />
            </button>
          );
        })}
      </div>
    </div>
  );
}
