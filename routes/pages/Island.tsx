/**
 * Server side of an island: renders the component to HTML and puts its props
 * beside it in a `<script type="application/json">` blob, which the island's
 * bundle reads to hydrate (no inline executable script, so CSP `script-src
 * 'self'` holds).
 */
import type { ComponentType } from "preact";

/** JSON that cannot end the `<script>` element it sits in, whatever the strings hold. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function Island<P extends object>(
  props: { name: string; component: ComponentType<P>; props: P },
) {
  const C = props.component as ComponentType<P>;
  return (
    <>
      <div data-island={props.name}>
        <C {...props.props} />
      </div>
      <script
        type="application/json"
        data-island-props={props.name}
        dangerouslySetInnerHTML={{ __html: scriptSafeJson(props.props) }}
      />
    </>
  );
}
