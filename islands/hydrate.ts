/**
 * Browser entry helper: hydrates every `[data-island=name]` element with its
 * props from the `<script type="application/json">` right after it.
 */
import { type ComponentType, h, hydrate } from "preact";

export function hydrateIslands<P>(name: string, Component: ComponentType<P>): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`)) {
    const blob = el.nextElementSibling;
    const props = blob?.getAttribute("data-island-props") === name
      ? JSON.parse(blob.textContent ?? "{}")
      : {};
    hydrate(h(Component, props), el);
  }
}
