/** The trends page's controls: bucket, date range, rising-terms window and source. */
import { BUCKETS, DEFAULT_RECENT, type TrendsQueryProps } from "./query.ts";

export function TrendsControls(
  props: { query: TrendsQueryProps; set: (patch: Partial<TrendsQueryProps>) => void },
) {
  const { query, set } = props;
  return (
    <form class="filters trends-controls" onSubmit={(e) => e.preventDefault()}>
      <label class="field">
        Bucket
        <select
          value={query.bucket}
          onChange={(e) =>
            set({
              bucket: (e.target as HTMLSelectElement).value as TrendsQueryProps["bucket"],
            })}
        >
          {BUCKETS.map((b) => <option key={b} value={b} selected={b === query.bucket}>{b}</option>)}
        </select>
      </label>
      <label class="field">
        From
        <input
          type="date"
          value={query.from}
          onChange={(e) => set({ from: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label class="field">
        To
        <input
          type="date"
          value={query.to}
          onChange={(e) => set({ to: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label class="field">
        Rising over
        <select
          value={String(query.recent ?? DEFAULT_RECENT)}
          onChange={(e) => set({ recent: Number((e.target as HTMLSelectElement).value) })}
        >
          {[1, 2, 3, 6].map((n) => (
            <option key={n} value={n} selected={n === (query.recent ?? DEFAULT_RECENT)}>
              latest {n} {n === 1 ? "bucket" : "buckets"}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        Source
        <input
          type="text"
          value={query.source}
          placeholder="all sources"
          size={14}
          onChange={(e) => set({ source: (e.target as HTMLInputElement).value.trim() })}
        />
      </label>
    </form>
  );
}
