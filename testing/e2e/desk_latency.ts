/**
 * Measures the review desk in the browser: from a key press to the next item in the DOM.
 * A capture-phase keydown listener stamps each press, and a MutationObserver stamps the
 * moment the shown item's id changes; the difference is what a reviewer waits for.
 */
import type { Page } from "playwright-core";

/** Key press → next item rendered, over `decisions` accepts with Enter, in milliseconds. */
export interface DeskLatency {
  decisions: number;
  /** Pause after each item appeared, before the next key press. */
  readMs: number;
  p50: number;
  p95: number;
  max: number;
  samples: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}

/**
 * Accepts `decisions` items with Enter on an open review desk, waiting for each next item
 * and then `readMs` (the reviewer reading it; 0 for a burst), and returns how long each
 * took to appear after its key press. Starts once the desk's first claims are in.
 */
export async function measureDeskLatency(
  page: Page,
  decisions: number,
  options: { readMs?: number } = {},
): Promise<DeskLatency> {
  await page.locator('[data-testid="review-item"]').waitFor();
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => {
    const w = globalThis as unknown as { __desk: { pressed: number[]; shown: number[] } };
    w.__desk = { pressed: [], shown: [] };
    addEventListener("keydown", () => w.__desk.pressed.push(performance.now()), true);
    let last = document.querySelector('[data-testid="review-item"]')?.getAttribute("data-item-id");
    new MutationObserver(() => {
      const id = document.querySelector('[data-testid="review-item"]')?.getAttribute(
        "data-item-id",
      );
      if (id && id !== last) {
        last = id;
        w.__desk.shown.push(performance.now());
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  for (let i = 0; i < decisions; i++) {
    const before = await page.locator('[data-testid="review-item"]').getAttribute("data-item-id");
    await page.keyboard.press("Enter");
    // The next item, not the moment between two items: on a busy machine the desk can show
    // none for a while, and a press then would have no item to answer it.
    await page.waitForFunction((prev) => {
      const id = document.querySelector('[data-testid="review-item"]')?.getAttribute(
        "data-item-id",
      );
      return Boolean(id) && id !== prev;
    }, before);
    if (options.readMs) await page.waitForTimeout(options.readMs);
  }
  const { pressed, shown } = await page.evaluate(() =>
    (globalThis as unknown as { __desk: { pressed: number[]; shown: number[] } }).__desk
  );
  const samples = pressed.slice(0, decisions).map((t, i) => shown[i] - t);
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    decisions,
    readMs: options.readMs ?? 0,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted[sorted.length - 1]),
    samples: samples.map(round),
  };
}
