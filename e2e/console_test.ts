// deno-lint-ignore-file no-console
/**
 * End to end in headless Chromium: starts the real server (`main.ts serve`,
 * PGlite in a temp dir), posts a handful of articles through the API so they
 * are queued for review, signs in, reviews three items with the keyboard
 * only, undoes one, sees the queue counts change, and checks the outcome
 * through the JSON API. Screenshots go to `test-artifacts/` (git-ignored);
 * `E2E_UPDATE_DOCS=1` also copies them to `docs/` for docs/console.md.
 *
 * Needs Debian's chromium at /usr/bin/chromium; ignored (with a message) without it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { freePort } from "../testing/cli/test_run.ts";
import { measureDeskLatency } from "../testing/e2e/desk_latency.ts";

const CHROMIUM = "/usr/bin/chromium";
const KEY = "e2e-reviewer-key-0001";
const root = fileURLToPath(new URL("..", import.meta.url));
const artifacts = join(root, "test-artifacts");
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!hasChromium) {
  console.warn(`e2e/console_test.ts: ${CHROMIUM} is missing; skipping (apt-get install chromium)`);
}

/** Articles in the model's four topics, dated over 2022 so the trends chart has a shape. */
function sampleArticles(): Array<Record<string, string>> {
  const topics: Array<[string, string[]]> = [
    ["sport", [
      "The striker scored twice as the home side won the league title on Sunday.",
      "The tennis champion reached the final after a five-set match.",
      "Coach names squad for the world cup qualifiers after injury worries.",
    ]],
    ["business", [
      "Shares fell after the bank reported lower quarterly profits and rising costs.",
      "The retailer raised its forecast as consumer spending held up.",
      "Oil prices climbed as investors weighed supply cuts and demand.",
    ]],
    ["science", [
      "Researchers released a new open-source chip design and software tools.",
      "The space agency launched a satellite to study the climate.",
      "The company unveiled a faster smartphone processor and an AI model.",
    ]],
    ["world", [
      "The prime minister met foreign leaders to discuss the ceasefire talks.",
      "Elections were held across the country amid protests in the capital.",
      "Diplomats said the United Nations would send aid after the earthquake.",
    ]],
  ];
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < 48; i++) {
    const [topic, bodies] = topics[i % topics.length];
    const month = Math.floor(i / 4);
    const day = 1 + ((i * 7) % 27);
    out.push({
      title: `${topic} story ${i}: ${bodies[i % 3].split(" ").slice(0, 6).join(" ")}`,
      body: `${bodies[i % 3]} ${bodies[(i + 1) % 3]}`,
      source: "wire",
      publishedAt: new Date(Date.UTC(2022, month, day, 12)).toISOString(),
    });
  }
  out.push({
    title: `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> Markets rally`,
    body: `Stocks rose on Friday. <script>window.__xss = 3</script> The index gained 2%.`,
    source: "wire",
    publishedAt: new Date(Date.UTC(2022, 11, 20, 9)).toISOString(),
  });
  return out;
}

async function startServer(dir: string, port: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-sys",
      "--allow-ffi",
      "--allow-read",
      `--allow-write=${dir}`,
      // First start trains the model in a `deno run ... train` process of its own.
      "--allow-run=deno",
      join(root, "main.ts"),
      "serve",
    ],
    cwd: root,
    env: {
      DATA_DIR: dir,
      MODEL_DIR: join(dir, "models"),
      API_KEYS: `reviewer=${KEY}`,
      SEED_ON_EMPTY: "false",
      REVIEW_THRESHOLD: "1",
      REVIEW_AUDIT_RATE: "0",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warning",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  // First start trains the model; on a busy machine that takes minutes.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}/ready`).then((r) => (r.body?.cancel(), r.ok), () => false);
    if (ok) return { child, base };
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill("SIGTERM");
  throw new Error("the server did not become ready within 300 s");
}

async function apiJson(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { "content-type": "application/json", "x-api-key": KEY, ...init.headers },
  });
  const body = await res.json();
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function currentItemId(page: Page): Promise<string> {
  const el = page.locator('[data-testid="review-item"]');
  await el.waitFor();
  return (await el.getAttribute("data-item-id"))!;
}

/** Waits until the desk shows an item other than `previous`. */
async function nextItem(page: Page, previous: string): Promise<string> {
  await page.waitForFunction(
    (prev) =>
      document.querySelector('[data-testid="review-item"]')?.getAttribute("data-item-id") !==
        prev,
    previous,
  );
  return await currentItemId(page);
}

Deno.test({
  name: "console end to end: sign in, review three items by keyboard, undo one",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "newsintel-e2e-" });
    await Deno.mkdir(artifacts, { recursive: true });
    const { child, base } = await startServer(dir, freePort());
    const browser = await chromium.launch({
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
    try {
      const ingest = await apiJson(base, "/v1/articles", {
        method: "POST",
        body: JSON.stringify({ articles: sampleArticles() }),
      });
      assert.equal(ingest.created, 49);
      // REVIEW_THRESHOLD=1 queues every prediction once ingestion routes to review;
      // until then (or for any it did not queue) the API's manual queueing does it.
      const queued = await apiJson(base, "/v1/review/items?limit=200");
      const have = new Set(queued.items.map((i: { articleId: number }) => i.articleId));
      for (const { id } of ingest.items) {
        if (have.has(id)) continue;
        await apiJson(base, "/v1/review/items", {
          method: "POST",
          body: JSON.stringify({ articleId: id }),
        });
      }
      const before = await apiJson(base, "/v1/review/stats");
      assert.equal(before.total, 49);

      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      // Leaving the desk with decisions unsaved asks first; the reviewer leaves.
      page.on("dialog", (d) => void d.accept());
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));

      // Sign in: the review page sends us to /login and back.
      await page.goto(`${base}/review`);
      assert.match(page.url(), /\/login\?next=%2Freview$/);
      await page.fill('input[name="key"]', KEY);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/review`);
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "ni_session")!;
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, "Strict");
      assert.ok(!session.value.includes(KEY));

      // Three items, keyboard only: accept, relabel with "2" + Enter, flag with F then 1.
      const first = await currentItemId(page);
      await page.locator('[data-testid="queue-counts"]').filter({ hasText: "49 open" }).waitFor();
      await page.keyboard.press("Enter");
      const second = await nextItem(page, first);
      const labels = await page.locator(".choice .name").allTextContents();
      const predicted = await page.locator(".choice.predicted .name").textContent();
      const relabel = labels[1] === predicted ? labels[0] : labels[1];
      await page.keyboard.press(labels[1] === predicted ? "1" : "2");
      await page.keyboard.press("Enter");
      const third = await nextItem(page, second);
      await page.keyboard.press("f");
      await page.locator('[data-testid="flag-picker"]').waitFor();
      await page.keyboard.press("1");
      const fourth = await nextItem(page, third);
      await page.locator('[data-testid="queue-counts"]').filter({ hasText: "46 open · 3 finished" })
        .waitFor();

      // Undo the flag: the third item comes back, held by us.
      await page.keyboard.press("u");
      await page.locator('[data-testid="message"]').filter({ hasText: "Undid" }).waitFor();
      assert.equal(await currentItemId(page), third);
      await page.locator('[data-testid="queue-counts"]').filter({ hasText: "47 open · 2 finished" })
        .waitFor();
      assert.notEqual(fourth, third);
      // J and K move without deciding.
      await page.keyboard.press("j");
      assert.equal(await nextItem(page, third), fourth);
      await page.keyboard.press("k");
      assert.equal(await nextItem(page, fourth), third);
      await page.screenshot({ path: join(artifacts, "review.png") });

      // The queue page shows the new counts.
      await page.goto(`${base}/queue`);
      assert.equal(await page.locator('[data-testid="finished-count"]').textContent(), "2");
      assert.equal(await page.locator('[data-testid="open-count"]').textContent(), "47");

      // The JSON API agrees: two decisions in force, one undone.
      const after = await apiJson(base, "/v1/review/stats");
      assert.equal(after.byStatus.done, 2);
      const me = after.byReviewer.find((r: { reviewer: string }) => r.reviewer === "reviewer");
      assert.equal(me.decisions, 2);
      assert.equal(me.accept, 1);
      assert.equal(me.label, 1);
      assert.equal(me.undone, 1);
      const relabelled = await apiJson(base, `/v1/review/items/${second}`);
      assert.equal(relabelled.item.finalLabel, relabel);
      // Leaving the review page handed the undecided items back to the queue (the
      // browser sends that as the page goes, so it may land just after /queue loads).
      for (let tries = 0; (await apiJson(base, "/v1/review/claims")).items.length; tries++) {
        assert.ok(tries < 100, "the review page's items were not released");
        await new Promise((r) => setTimeout(r, 50));
      }
      const back = await apiJson(base, `/v1/review/items/${third}`);
      assert.equal(back.item.status, "queued");
      assert.equal(back.item.leaseHolder, null);

      // HTML in article text is shown, never run.
      const xssId = ingest.items[48].id;
      await page.goto(`${base}/articles/${xssId}`);
      const title = await page.locator('[data-testid="article-title"]').textContent();
      assert.match(title!, /^<script>window.__xss = 1<\/script><img src=x/);
      await page.goto(`${base}/articles?q=markets`);
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);

      // The dashboard, with its trends chart drawn.
      await page.goto(`${base}/`);
      await page.locator('[data-testid="trends"] canvas').waitFor();
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(artifacts, "dashboard.png") });
      await page.goto(`${base}/trends`);
      await page.locator('[data-testid="trends"] canvas').waitFor();
      await page.screenshot({ path: join(artifacts, "trends.png"), fullPage: true });
      await page.goto(`${base}/models`);
      await page.screenshot({ path: join(artifacts, "models.png"), fullPage: true });

      // The API reference renders from the service's own files, under its policy.
      await page.goto(`${base}/docs`);
      await page.locator(".opblock-summary-path", { hasText: "/v1/classify" }).waitFor();
      await page.screenshot({ path: join(artifacts, "docs.png") });

      // Phone width.
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        storageState: await context.storageState(),
      });
      const p2 = await phone.newPage();
      await p2.goto(`${base}/review`);
      await currentItemId(p2);
      await p2.screenshot({ path: join(artifacts, "review-phone.png"), fullPage: true });

      // How fast the desk keeps up: key press → next item, over 30 accepts read for 150 ms
      // each (a brisk reviewer), then 12 in a burst (keys as fast as the browser takes them).
      await page.goto(`${base}/review`);
      const paced = await measureDeskLatency(page, 30, { readMs: 150 });
      await page.goto(`${base}/review`);
      const burst = await measureDeskLatency(page, 12);
      for (const latency of [paced, burst]) {
        assert.equal(latency.samples.length, latency.decisions);
        assert.ok(latency.samples.every((t) => t >= 0), JSON.stringify(latency.samples));
        console.log(
          `review desk, key press → next item over ${latency.decisions} decisions ` +
            `(${latency.readMs} ms reading each): p50 ${latency.p50} ms, ` +
            `p95 ${latency.p95} ms, max ${latency.max} ms`,
        );
      }
      await Deno.writeTextFile(
        join(artifacts, "desk-latency.json"),
        JSON.stringify({ paced, burst }, null, 2),
      );
      // Every one of those decisions reached the server.
      for (let tries = 0;; tries++) {
        const now = await apiJson(base, "/v1/review/stats");
        if (now.byStatus.done === 44) break;
        assert.ok(tries < 100, `decisions recorded: ${JSON.stringify(now.byStatus)}`);
        await new Promise((r) => setTimeout(r, 50));
      }

      assert.deepEqual(problems, [], "no console errors (CSP violations included)");

      if (Deno.env.get("E2E_UPDATE_DOCS") === "1") {
        await Deno.mkdir(join(root, "docs"), { recursive: true });
        for (const f of ["review.png", "dashboard.png"]) {
          await Deno.copyFile(join(artifacts, f), join(root, "docs", f));
        }
      }
    } finally {
      await browser.close();
      child.kill("SIGTERM");
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
