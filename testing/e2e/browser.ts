/**
 * Headless Chromium for browser tests and benchmarks (Debian's, at /usr/bin/chromium),
 * and signing a reviewer in to the console through its form.
 */
import { type Browser, type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Whether Debian's chromium is installed (browser tests are ignored without it). */
export const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

/** A headless Chromium with the flags that keep it quiet on a build machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--headless",
    ],
  });
}

/**
 * A browser context signed in to the console at `base` with `key`. Pages in it leave
 * even while the review desk warns of unsaved decisions (the reviewer says "Leave").
 */
export async function signedIn(
  browser: Browser,
  base: string,
  key: string,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.on("page", (page) => page.on("dialog", (d) => void d.accept()));
  const page = await context.newPage();
  await page.goto(`${base}/login?next=%2F`);
  await page.fill('input[name="key"]', key);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/`);
  await page.close();
  return context;
}
