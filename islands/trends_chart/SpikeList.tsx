/** The biggest spikes of the visible topics, highest score first. */
import { label, type TrendsQueryProps } from "./query.ts";

export interface SpikeRow {
  topic: string;
  bucket: string;
  count: number;
  baseline: number | null;
  score: number;
}

export function SpikeList(
  props: { spikeRows: SpikeRow[]; bucket: TrendsQueryProps["bucket"] },
) {
  const { spikeRows, bucket } = props;
  if (spikeRows.length === 0) return null;
  return (
    <>
      <h3>Biggest spikes</h3>
      <ol class="spike-list">
        {spikeRows.map((s) => (
          <li>
            {s.topic}: {label(s.bucket, bucket)} — {s.count} articles
            {s.baseline !== null ? ` (usual ≈ ${Math.round(s.baseline)})` : ""}, score{" "}
            {s.score.toFixed(1)}
          </li>
        ))}
      </ol>
    </>
  );
}
