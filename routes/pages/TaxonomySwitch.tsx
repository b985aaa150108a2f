/**
 * The taxonomy switch: which label set a page shows (`topic`, or a newsroom's own such
 * as `section`). A GET form, so each view has its own URL; shown only when there is more
 * than one taxonomy to choose from.
 */

/** A select of `taxonomies` submitting `?taxonomy=` to `action`, keeping the `keep` fields. */
export function TaxonomySwitch(props: {
  taxonomies: readonly string[];
  current: string;
  action: string;
  keep?: Record<string, string | undefined>;
}) {
  if (props.taxonomies.length < 2) return null;
  return (
    <form class="taxonomy-switch" method="get" action={props.action} data-testid="taxonomy-switch">
      {Object.entries(props.keep ?? {}).filter(([, v]) =>
        v
      ).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      <label class="field">
        Taxonomy
        <select name="taxonomy" aria-label="Taxonomy">
          {props.taxonomies.map((t) => (
            <option key={t} value={t} selected={t === props.current}>{t}</option>
          ))}
        </select>
      </label>
      <button type="submit">Show</button>
    </form>
  );
}
