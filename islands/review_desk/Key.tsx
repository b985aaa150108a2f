/** A key of the keyboard, as the desk names it in its hints. */
export function Key(props: { k: string }) {
  return <kbd>{props.k}</kbd>;
}
