// deno-lint-ignore-file no-console
/**
 * The review desk never loses a decision, end to end in headless Chromium against the
 * real server (`main.ts serve`, PGlite in a temporary directory): a reviewer decides
 * as fast as the keyboard allows and navigates away at once; decides and closes the
 * tab; decides while the server is stopped for 3 s and started again. After each,
 * every decision the page showed as made is in the API exactly once and the reviewer
 * holds no claim. A decision refused after the page moved on (here: left in the
 * outbox for an item another reviewer holds) is shown on the next load.
 *
 * No sleeps stand in for assertions: each check waits for its condition, with a
 * generous deadline for a loaded machine. Needs /usr/bin/chromium (ignored without).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { freePort } from "../testing/cli/test_run.ts";
import { hasChromium, launchChromium, signedIn } from "../testing/e2e/browser.ts";
import {
  apiJson,
  queueArticles,
  startServer,
  type TestServer,
} from "../testing/e2e/test_server.ts";

const ANN = "e2e-desk-ann-key-0001";
const BOB = "e2e-desk-bob-key-0002";

if (!hasChromium) console.warn("e2e/desk_decisions_test.ts: no /usr/bin/chromium; skipping");

/** The item the desk shows. */
async function shownItem(page: Page): Promise<number> {
  const el = page.locator('[data-testid="review-item"]');
  await el.waitFor();
  return Number(await el.getAttribute("data-item-id"));
}

/**
 * Accepts `n` items with Enter as fast as the desk takes them: each press as soon as
 * the next item shows. Returns the ids the page showed as decided (it moved on to
 * the next item, which it does only once the decision is recorded).
 */
async function acceptFast(page: Page, n: number): Promise<number[]> {
  const decided: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = await shownItem(page);
    await page.keyboard.press("Enter");
    await page.waitForFunction((prev) => {
      const shown = document.querySelector('[data-testid="review-item"]');
      return shown?.getAttribute("data-item-id") !== String(prev);
    }, id);
    decided.push(id);
  }
  return decided;
}

/** Waits until `check` holds (polling the API), failing with `what` (and `seen`) after 60 s. */
async function eventually(
  what: string,
  check: () => Promise<boolean>,
  seen: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not so after 60 s: ${what} (${seen()})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `reviewer`'s decisions in force on item `id`, as the API lists them. */
async function decisionsOn(server: TestServer, id: number, reviewer: string): Promise<number> {
  const detail = await apiJson(server.base, ANN, `/v1/review/items/${id}`);
  return detail.decisions.filter((d: { reviewer: string; retractedAt: string | null }) =>
    d.reviewer === reviewer && d.retractedAt === null
  ).length;
}

/**
 * Every id in `decided` has exactly one decision by ann, ann has `total` decisions
 * in all, and she holds no claim (the page gave back what it had claimed ahead).
 */
async function allStoredOnce(server: TestServer, decided: number[], total: number) {
  let seen = "";
  await eventually(`${total} decisions by ann and no claim held`, async () => {
    const stats = await apiJson(server.base, ANN, "/v1/review/stats");
    const ann = stats.byReviewer.find((r: { reviewer: string }) => r.reviewer === "ann");
    const held = await apiJson(server.base, ANN, "/v1/review/claims");
    seen = `${ann?.decisions ?? 0} decisions, held ${
      JSON.stringify(held.items.map((i: { id: number }) => i.id))
    }`;
    return (ann?.decisions ?? 0) >= total && held.items.length === 0;
  }, () => seen);
  for (const id of decided) assert.equal(await decisionsOn(server, id, "ann"), 1, `item ${id}`);
  const stats = await apiJson(server.base, ANN, "/v1/review/stats");
  const ann = stats.byReviewer.find((r: { reviewer: string }) => r.reviewer === "ann");
  assert.equal(ann.decisions, total, "no decision stored twice, none made up");
}

Deno.test({
  name: "review desk: no decision is lost when the page goes or the server is away",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer({ keys: `ann=${ANN};bob=${BOB}`, port: freePort() });
    const browser = await launchChromium();
    const problems: string[] = [];
    try {
      assert.ok(await queueArticles(server.base, ANN, 90) >= 90);
      const context = await signedIn(browser, server.base, ANN);
      context.on("page", (p) => p.on("pageerror", (e) => problems.push(String(e))));
      let total = 0;

      await t.step(
        "12 decisions as fast as the keyboard allows, then straight away to the dashboard",
        async () => {
          const page = await context.newPage();
          await page.goto(`${server.base}/review`);
          const decided = await acceptFast(page, 12);
          await page.click('nav a[href="/"]');
          await page.waitForURL(`${server.base}/`);
          total += decided.length;
          await allStoredOnce(server, decided, total);
          await page.close();
        },
      );

      await t.step("decisions, then the tab is closed", async () => {
        const page = await context.newPage();
        await page.goto(`${server.base}/review`);
        const decided = await acceptFast(page, 6);
        await page.close({ runBeforeUnload: true });
        total += decided.length;
        await allStoredOnce(server, decided, total);
      });

      await t.step(
        "decisions while the server is stopped for 3 s, then started again",
        async () => {
          const page = await context.newPage();
          await page.goto(`${server.base}/review`);
          const status = page.locator('[data-testid="save-status"]');
          // What an earlier page left unconfirmed is sent first (stored once): count from here.
          await shownItem(page);
          // Attached, not visible: with nothing saved yet on this page the status is hidden.
          await page.locator('[data-testid="save-status"][data-pending="0"]').waitFor({
            state: "attached",
          });
          const saved0 = Number(await status.getAttribute("data-saved"));
          const savedAll = (n: number) =>
            page.locator(
              `[data-testid="save-status"][data-pending="0"][data-saved="${saved0 + n}"]`,
            );
          const before = await acceptFast(page, 2);
          await savedAll(2).waitFor();
          await server.stop();
          const during = await acceptFast(page, 4);
          await status.filter({ hasText: "4 pending · server unreachable" }).waitFor();
          // Leaving now would lose them: the page asks first (and not once all is saved).
          const warns = () =>
            page.evaluate(() => {
              const e = new Event("beforeunload", { cancelable: true });
              dispatchEvent(e);
              return e.defaultPrevented;
            });
          assert.equal(await warns(), true);
          await new Promise((r) => setTimeout(r, 3000)); // the outage itself, not a check
          await server.start();
          // The desk sends them once the server answers again, without a reload.
          await savedAll(6).waitFor({ timeout: 60_000 }).catch(async (e) => {
            const seen = await status.textContent().catch(() => "(none)");
            throw new Error(`${e}; on ${page.url()} the status says: ${seen}`);
          });
          assert.equal(await warns(), false);
          await page.click('nav a[href="/"]');
          await page.waitForURL(`${server.base}/`);
          total += before.length + during.length;
          await allStoredOnce(server, [...before, ...during], total);
          await page.close();
        },
      );

      await t.step(
        "a decision refused after the page moved on is shown on the next load",
        async () => {
          const [theirs] = (await apiJson(server.base, BOB, "/v1/review/claim", {
            method: "POST",
            body: JSON.stringify({ limit: 1 }),
          })).items;
          const page = await context.newPage();
          await page.goto(`${server.base}/`);
          // As a page that went before its decision on that item was sent would leave it.
          await page.evaluate((itemId) =>
            localStorage.setItem(
              "newsintel.desk.outbox.ann",
              JSON.stringify([{ decisionId: crypto.randomUUID(), itemId, action: "accept" }]),
            ), theirs.id);
          await page.goto(`${server.base}/review`);
          const banner = page.locator('[data-testid="refused"]');
          await banner.filter({
            hasText: `#${theirs.id}: Review item ${theirs.id} is held by another reviewer`,
          })
            .waitFor();
          assert.equal(await decisionsOn(server, theirs.id, "ann"), 0);
          assert.equal(
            await page.evaluate(() => localStorage.getItem("newsintel.desk.outbox.ann")),
            "[]",
          );
          await page.click('nav a[href="/"]');
          await page.waitForURL(`${server.base}/`);
          await allStoredOnce(server, [], total);
          await page.close();
        },
      );

      assert.deepEqual(problems, [], "no errors in the pages");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
