/** The date fields of the console's filter forms. */

/** The "published from … until" pair of date inputs of the filter forms (`since`, `until`). */
export function DateRangeFields(props: { since?: string; until?: string }) {
  return (
    <>
      <label class="field">
        Published from
        <input name="since" type="date" value={props.since ?? ""} />
      </label>
      <label class="field">
        until
        <input name="until" type="date" value={props.until ?? ""} />
      </label>
    </>
  );
}
