import assert from "node:assert/strict";
import { pgliteTestDb } from "../../../../testing/db/test_db.ts";
import { postJson, testApp, withKey } from "../../../../testing/routes/test_app.ts";
import { form, signIn } from "../../../../testing/routes/console/test_helpers.ts";

const ARTICLES = [
  ["Apple Plans EU Expansion of iTunes Next Month", "reuters", "2024-09-01T10:00:00Z"],
  ["Apple to open iTunes across Europe in October", "ap", "2024-09-02T09:00:00Z"],
  ["Apple brings its iTunes music store to Europe", "bbc", "2024-09-02T11:00:00Z"],
].map(([title, source, publishedAt]) => ({
  title,
  body: "Apple Computer will open its iTunes music store across the European Union next " +
    "month, Steve Jobs said in Cupertino.",
  source,
  publishedAt,
}));
const OTHER = {
  title: "Intel lauds milestone in shrinking chips",
  body: "Intel built memory chips with 65-nanometer transistors in Santa Clara.",
  source: "cnet",
  publishedAt: "2024-09-02T12:00:00Z",
};

Deno.test("console Stories pages: list, follow a story, move an article", async (t) => {
  const { db, reset, close } = await pgliteTestDb();
  const { app } = testApp(db);
  try {
    await reset();
    const res = await app.request("/v1/articles", postJson({ articles: [...ARTICLES, OTHER] }));
    const ids: number[] = (await res.json()).items.map((i: { id: number }) => i.id);
    const storyOf = async (id: number) =>
      (await (await app.request(`/v1/articles/${id}`, withKey())).json()).story as number;
    const itunes = await storyOf(ids[0]);
    const intel = await storyOf(ids[3]);
    const { cookie, csrf } = await signIn(app);

    await t.step(
      "the Stories page lists developing stories with headline and sources",
      async () => {
        const page = await app.request("/stories", { headers: { cookie } });
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /href="\/stories" aria-current="page"/);
        assert.ok(html.includes(`href="/stories/${itunes}"`));
        assert.match(html, /3 articles/);
        assert.match(html, /ap, bbc, reuters/);
        assert.match(html, /class="story-timeline"/);
        const home = await (await app.request("/", { headers: { cookie } })).text();
        assert.ok(home.includes('href="/stories"'), "the dashboard links to it");
        for (const sort of ["size", "recent", "bogus"]) {
          assert.equal(
            (await app.request(`/stories?sort=${sort}&days=9999`, { headers: { cookie } })).status,
            200,
          );
        }
      },
    );

    await t.step("a story page shows its timeline, summary and articles", async () => {
      const html = await (await app.request(`/stories/${itunes}`, { headers: { cookie } })).text();
      assert.match(html, /data-testid="story-timeline"/);
      assert.match(html, /data-testid="story-summary"/);
      for (const a of ARTICLES) assert.ok(html.includes(a.title), a.title);
      assert.equal((await app.request("/stories/999999", { headers: { cookie } })).status, 404);
    });

    await t.step("moving an article goes through the API and shows on both stories", async () => {
      const noCsrf = await app.request(
        `/stories/${itunes}/move`,
        form({ articles: String(ids[2]), into: String(intel) }, { cookie }),
      );
      assert.equal(noCsrf.status, 403);
      const bad = await app.request(
        `/stories/${itunes}/move`,
        form({ _csrf: csrf, articles: String(ids[2]), into: String(itunes) }, { cookie }),
      );
      assert.equal(bad.status, 422);
      const moved = await app.request(
        `/stories/${itunes}/move`,
        form({ _csrf: csrf, articles: String(ids[2]), into: String(intel) }, { cookie }),
      );
      assert.equal(moved.status, 303);
      assert.equal(moved.headers.get("location"), `/stories/${intel}?done=moved`);
      const html =
        await (await app.request(`/stories/${intel}?done=moved`, { headers: { cookie } }))
          .text();
      assert.ok(html.includes(ARTICLES[2].title));
      assert.match(html, /placed by a reviewer/);
      assert.match(html, /data-testid="corrections"/);
      assert.equal(await storyOf(ids[2]), intel);
    });

    await t.step("split the ticked articles, then merge them back", async () => {
      const split = await app.request(
        `/stories/${itunes}/split`,
        form({ _csrf: csrf, [`a${ids[1]}`]: "on" }, { cookie }),
      );
      assert.equal(split.status, 303);
      const created = await storyOf(ids[1]);
      assert.notEqual(created, itunes);
      const none = await app.request(`/stories/${itunes}/split`, form({ _csrf: csrf }, { cookie }));
      assert.equal(none.status, 422);
      const merged = await app.request(
        `/stories/${itunes}/merge`,
        form({ _csrf: csrf, from: String(created) }, { cookie }),
      );
      assert.equal(merged.status, 303);
      assert.equal(await storyOf(ids[1]), itunes);
    });
  } finally {
    await close();
  }
});
