/** A label's score as a bar (SVG, so it scales with the button and needs no inline style). */
export function ScoreBar(props: { value: number; variant?: string }) {
  const w = Math.max(0, Math.min(100, props.value * 100)).toFixed(2);
  return (
    <svg
      class={`bar-svg${props.variant ? " " + props.variant : ""}`}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
    >
      <rect class="track" width="100" height="10" rx="5" />
      <rect class="fill" width={w} height="10" rx="5" />
    </svg>
  );
}
