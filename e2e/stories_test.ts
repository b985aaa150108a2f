// deno-lint-ignore-file no-console
/**
 * The Stories pages end to end in headless Chromium: starts the real server (`main.ts
 * serve`, PGlite in a temp dir), posts reports of two events and an unrelated article through
 * the API, signs in, opens Stories, follows a story, moves one of its articles into the other
 * story with the page's form and sees the change on the page and through the API.
 * Screenshots go to `test-artifacts/`.
 *
 * Needs Debian's chromium at /usr/bin/chromium; ignored (with a message) without it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { freePort } from "../testing/cli/test_run.ts";
import { CHROMIUM, hasChromium, launchChromium } from "../testing/e2e/browser.ts";
import { apiJson as callApi, startServer } from "../testing/e2e/test_server.ts";

const KEY = "e2e-stories-key-0001";
const root = fileURLToPath(new URL("..", import.meta.url));
const artifacts = join(root, "test-artifacts");
if (!hasChromium) {
  console.warn(`e2e/stories_test.ts: ${CHROMIUM} is missing; skipping (apt-get install chromium)`);
}

const QUAKE = "A 7.6 magnitude earthquake struck Padang on Sumatra, Indonesia, killing hundreds " +
  "as buildings collapsed; rescuers searched the rubble in Padang.";
const HEIST = "Armed robbers stole jewels worth 80 million euros from the Harry Winston store " +
  "on Avenue Montaigne in Paris, police said.";
const ARTICLES = [
  ["Earthquake kills hundreds in Padang", QUAKE, "reuters", "2024-05-01T08:00:00Z"],
  ["Sumatra quake: rescuers dig through Padang rubble", QUAKE, "ap", "2024-05-01T12:00:00Z"],
  ["Padang death toll rises after Sumatra earthquake", QUAKE, "bbc", "2024-05-02T09:00:00Z"],
  ["Harry Winston jewels stolen in Paris heist", HEIST, "afp", "2024-05-01T10:00:00Z"],
  [
    "Robbers take 80 million euros of jewels on Avenue Montaigne",
    HEIST,
    "le monde",
    "2024-05-02T07:00:00Z",
  ],
  [
    "Chipmaker reports record quarter",
    "Revenue rose on demand for memory chips.",
    "cnet",
    "2024-05-02T10:00:00Z",
  ],
].map(([title, body, source, publishedAt]) => ({ title, body, source, publishedAt }));

const apiJson = (base: string, path: string, init: RequestInit = {}) =>
  callApi(base, KEY, path, init);

Deno.test({
  name: "Stories end to end: open, follow a story, move an article, see the change",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(artifacts, { recursive: true });
    const server = await startServer({ keys: `reviewer=${KEY}`, port: freePort() });
    const { base } = server;
    const browser = await launchChromium();
    try {
      const ingest = await apiJson(base, "/v1/articles", {
        method: "POST",
        body: JSON.stringify({ articles: ARTICLES }),
      });
      const ids: number[] = ingest.items.map((i: { id: number }) => i.id);
      const storyOf = async (id: number) => (await apiJson(base, `/v1/articles/${id}`)).story;
      const quake = await storyOf(ids[0]);
      const heist = await storyOf(ids[3]);
      assert.equal(await storyOf(ids[2]), quake);
      assert.equal(await storyOf(ids[4]), heist);

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      await page.goto(`${base}/stories`);
      await page.fill('input[name="key"]', KEY);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/stories`);
      const items = page.locator('[data-testid="story-item"]');
      assert.equal(await items.count(), 2, "two stories of two or more articles");
      await page.screenshot({ path: join(artifacts, "stories.png"), fullPage: true });

      // Follow the earthquake story.
      await page.locator(`a[href="/stories/${quake}"]`).click();
      await page.waitForURL(`${base}/stories/${quake}`);
      assert.equal(await page.locator('[data-testid="story-article"]').count(), 3);
      await page.locator('[data-testid="story-timeline"]').waitFor();
      await page.screenshot({ path: join(artifacts, "story.png"), fullPage: true });

      // Move its third article into the heist story.
      const row = page.locator(`[data-testid="story-article"][data-article="${ids[2]}"]`);
      await row.locator('input[name="into"]').fill(String(heist));
      await row.locator('[data-testid="move"]').click();
      await page.waitForURL(`${base}/stories/${heist}?done=moved`);
      assert.equal(await page.locator('[data-testid="story-article"]').count(), 3);
      assert.match(await page.content(), /placed by a reviewer/);
      assert.equal(await storyOf(ids[2]), heist);
      const left = await apiJson(base, `/v1/stories/${quake}`);
      assert.equal(left.articles, 2);
      assert.deepEqual(problems, [], "no console errors (CSP violations included)");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
