import assert from "node:assert/strict";
import { testDatabases } from "../../db/test_db.ts";
import { postJson, testApp, withKey } from "../test_app.ts";

const REPORTS = [
  ["Apple Plans EU Expansion of iTunes Next Month", "reuters", "2024-09-01T10:00:00Z"],
  ["Apple Plans EU Expansion of iTunes Next Month (Reuters)", "yahoo", "2024-09-01T11:00:00Z"],
  ["Apple plans EU expansion of iTunes next month", "ap", "2024-09-02T09:00:00Z"],
].map(([title, source, publishedAt], i) => ({
  title,
  body: `Apple Computer will open its iTunes music store across the European Union next month${
    i === 2 ? ", the company said" : ""
  }.`,
  source,
  publishedAt,
}));

for (const { name, open } of testDatabases()) {
  Deno.test(`GET /v1/stories and /v1/stories/{id} (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db);
    const get = (path: string, key?: string | null) => app.request(path, withKey(key));
    try {
      await reset();
      const other = {
        title: "Intel lauds milestone in shrinking chips",
        body: "Intel built memory chips with 65-nanometer transistors.",
        publishedAt: "2024-09-01T12:00:00Z",
      };
      const res = await app.request("/v1/articles", postJson({ articles: [...REPORTS, other] }));
      assert.equal(res.status, 201);
      const ids: number[] = (await res.json()).items.map((i: { id: number }) => i.id);

      await t.step("a key is required", async () => {
        assert.equal((await get("/v1/stories", null)).status, 401);
        assert.equal((await get("/v1/stories/1", null)).status, 401);
      });

      let storyId = 0;
      await t.step("the largest stories of a period, with count, sources and span", async () => {
        const r = await get("/v1/stories?from=2024-08-01T00:00:00Z&to=2024-10-01T00:00:00Z");
        assert.equal(r.status, 200);
        assert.match(r.headers.get("content-type")!, /application\/json/);
        const body = await r.json();
        assert.equal(body.items.length, 1, "single articles are left out by default");
        const [story] = body.items;
        storyId = story.id;
        assert.equal(story.articles, 3);
        assert.equal(story.title, REPORTS[0].title);
        assert.deepEqual(story.sources, ["ap", "reuters", "yahoo"]);
        assert.equal(story.firstSeen, "2024-09-01T10:00:00.000Z");
        assert.equal(story.lastSeen, "2024-09-02T09:00:00.000Z");
        const all = await get(
          "/v1/stories?from=2024-08-01T00:00:00Z&to=2024-10-01T00:00:00Z&minArticles=1",
        );
        assert.equal((await all.json()).items.length, 2);
        const outside = await get("/v1/stories?from=2024-10-01T00:00:00Z&to=2024-11-01T00:00:00Z");
        assert.deepEqual((await outside.json()).items, []);
      });

      await t.step("one story lists its articles; the article names its story", async () => {
        const r = await get(`/v1/stories/${storyId}`);
        assert.equal(r.status, 200);
        const story = await r.json();
        assert.deepEqual(story.items.map((i: { id: number }) => i.id), ids.slice(0, 3));
        const article = await (await get(`/v1/articles/${ids[1]}`)).json();
        assert.equal(article.story, storyId);
        const single = await (await get(`/v1/articles/${ids[3]}`)).json();
        assert.notEqual(single.story, storyId);
      });

      await t.step("bad input answers 404 or 422", async () => {
        const missing = await get("/v1/stories/999999");
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).error.code, "storyNotFound");
        for (const q of ["limit=0", "limit=101", "minArticles=0", "from=yesterday"]) {
          const bad = await get(`/v1/stories?${q}`);
          assert.equal(bad.status, 422, q);
          assert.equal((await bad.json()).error.code, "validationFailed", q);
        }
        const inverted = await get("/v1/stories?from=2024-10-01T00:00:00Z&to=2024-09-01T00:00:00Z");
        assert.equal(inverted.status, 422);
        assert.equal((await inverted.json()).error.code, "invalidRange");
        assert.equal((await get("/v1/stories/abc")).status, 422);
      });
    } finally {
      await close();
    }
  });
}
