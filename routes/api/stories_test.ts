import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { postJson, testApp, withKey } from "../../testing/routes/test_app.ts";
import { fillStories } from "../../services/stories.ts";

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
        assert.ok(REPORTS.some((r) => r.title === story.headline), story.headline);
        assert.match(story.summary, /iTunes/);
        assert.equal(story.sourceCount, 3);
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
        assert.deepEqual(story.days, [
          { day: "2024-09-01", articles: 2 },
          { day: "2024-09-02", articles: 1 },
        ]);
        assert.deepEqual(
          story.copies,
          [{ of: ids[0], articles: [ids[1], ids[2]] }],
          "near copies folded",
        );
        const article = await (await get(`/v1/articles/${ids[1]}`)).json();
        assert.equal(article.story, storyId);
        const single = await (await get(`/v1/articles/${ids[3]}`)).json();
        assert.notEqual(single.story, storyId);
      });

      await t.step("sorted by growth, size or recency, a page at a time", async () => {
        const period = "from=2024-08-01T00:00:00Z&to=2024-09-02T12:00:00Z&minArticles=1";
        const growth = await (await get(`/v1/stories?${period}&sort=growth&window=24`)).json();
        // The last 24 hours hold one article of the story: it grows by 1 - 2 = -1, the
        // Intel article (12:00 the day before) falls in the window before.
        assert.deepEqual(growth.items.map((s: { id: number }) => s.id).includes(storyId), true);
        const size = await (await get(`/v1/stories?${period}&sort=size&limit=1`)).json();
        assert.equal(size.items[0].id, storyId);
        assert.ok(size.next);
        const second =
          await (await get(`/v1/stories?${period}&sort=size&limit=1&cursor=${size.next}`))
            .json();
        assert.equal(second.items.length, 1);
        assert.notEqual(second.items[0].id, storyId);
        assert.equal(second.next, null);
        const wrong = await get(`/v1/stories?${period}&sort=recent&cursor=${size.next}`);
        assert.equal(wrong.status, 422, "a cursor of another sort is refused");
        const bySource = await (await get(`/v1/stories?${period}&source=yahoo`)).json();
        assert.deepEqual(bySource.items.map((s: { id: number }) => s.id), [storyId]);
      });

      await t.step("bad input answers 404 or 422", async () => {
        const missing = await get("/v1/stories/999999");
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).error.code, "storyNotFound");
        for (
          const q of [
            "limit=0",
            "limit=101",
            "minArticles=0",
            "from=yesterday",
            "sort=size2",
            "window=0",
          ]
        ) {
          const bad = await get(`/v1/stories?${q}`);
          assert.equal(bad.status, 422, q);
          assert.equal((await bad.json()).error.code, "validationFailed", q);
        }
        const inverted = await get("/v1/stories?from=2024-10-01T00:00:00Z&to=2024-09-01T00:00:00Z");
        assert.equal(inverted.status, 422);
        assert.equal((await inverted.json()).error.code, "invalidRange");
        assert.equal((await get("/v1/stories/abc")).status, 422);
        const huge = await get("/v1/stories?from=1990-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
        assert.equal(huge.status, 422);
        assert.equal((await huge.json()).error.code, "periodTooLong");
        assert.equal((await get("/v1/stories?cursor=bm9wZQ")).status, 422);
      });
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`POST /v1/stories/{id}/move, split and merge correct stories (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db);
    const post = (path: string, body: unknown, key?: string) =>
      app.request(path, postJson(body, key));
    const storyOf = async (id: number) =>
      (await (await app.request(`/v1/articles/${id}`, withKey())).json()).story as number;
    try {
      await reset();
      const other = {
        title: "Intel lauds milestone in shrinking chips",
        body: "Intel built memory chips with 65-nanometer transistors.",
        publishedAt: "2024-09-01T12:00:00Z",
      };
      const res = await app.request("/v1/articles", postJson({ articles: [...REPORTS, other] }));
      const ids: number[] = (await res.json()).items.map((i: { id: number }) => i.id);
      const itunes = await storyOf(ids[0]);
      const intel = await storyOf(ids[3]);
      assert.notEqual(itunes, intel);

      await t.step("bad corrections answer 4xx and change nothing", async () => {
        const cases: Array<[string, unknown, number, string]> = [
          [`/v1/stories/${itunes}/move`, { articles: [ids[2]], into: itunes }, 422, "sameStory"],
          [
            `/v1/stories/${itunes}/move`,
            { articles: [ids[3]], into: intel },
            422,
            "articleNotInStory",
          ],
          [
            `/v1/stories/${itunes}/move`,
            { articles: [ids[2]], into: 999999 },
            404,
            "storyNotFound",
          ],
          [`/v1/stories/999999/split`, { articles: [ids[2]] }, 404, "storyNotFound"],
          [`/v1/stories/${itunes}/split`, { articles: ids.slice(0, 3) }, 422, "wholeStory"],
          [`/v1/stories/${itunes}/merge`, { from: itunes }, 422, "sameStory"],
          [`/v1/stories/${itunes}/move`, { articles: [], into: intel }, 422, "validationFailed"],
          [`/v1/stories/${itunes}/merge`, { from: "x" }, 422, "validationFailed"],
        ];
        for (const [path, body, status, code] of cases) {
          const r = await post(path, body);
          assert.equal(r.status, status, `${path} ${JSON.stringify(body)}`);
          assert.equal((await r.json()).error.code, code);
        }
        assert.equal(
          (await post(`/v1/stories/${itunes}/split`, { articles: [ids[2]] }, "")).status,
          401,
        );
        assert.equal(await storyOf(ids[2]), itunes);
      });

      await t.step(
        "an article moved stays where a reviewer put it, even after a rebuild",
        async () => {
          const r = await post(`/v1/stories/${itunes}/move`, { articles: [ids[2]], into: intel });
          assert.equal(r.status, 200);
          assert.deepEqual(await r.json(), {
            storyId: itunes,
            intoStory: intel,
            articles: [ids[2]],
          });
          assert.equal(await storyOf(ids[2]), intel);
          const story = await (await app.request(`/v1/stories/${intel}`, withKey())).json();
          assert.equal(story.articles, 2);
          assert.equal(story.items.find((i: { id: number }) => i.id === ids[2]).pinned, true);
          await fillStories(db, { rebuild: true });
          assert.equal(await storyOf(ids[2]), intel, "the rebuild keeps the correction");
          assert.equal(await storyOf(ids[0]), await storyOf(ids[1]));
        },
      );

      await t.step("merging a big story needs an admin key, and is audited", async () => {
        await db.query("UPDATE stories SET articles = 60 WHERE id = $1", [intel]);
        const refused = await post(`/v1/stories/${itunes}/merge`, { from: intel });
        assert.equal(refused.status, 403);
        assert.equal((await refused.json()).error.code, "forbidden");
        const audit = await db.query<{ outcome: string }>(
          "SELECT outcome FROM access_audit WHERE action = 'mergeStories'",
        );
        assert.deepEqual(audit.map((a) => a.outcome), ["denied"]);
        await db.query(
          "UPDATE stories SET articles = (SELECT count(*) FROM article_stories WHERE story_id = $1) WHERE id = $1",
          [intel],
        );
      });

      await t.step("split then merge", async () => {
        const from = await storyOf(ids[0]);
        const split = await post(`/v1/stories/${from}/split`, { articles: [ids[1]] });
        assert.equal(split.status, 200);
        const created = (await split.json()).intoStory;
        assert.equal(await storyOf(ids[1]), created);
        const merged = await post(`/v1/stories/${from}/merge`, { from: created });
        assert.equal(merged.status, 200);
        assert.equal(await storyOf(ids[1]), from);
        const gone = await app.request(`/v1/stories/${created}`, withKey());
        assert.equal(gone.status, 404, "a story left empty is deleted");
        const audit = await db.query<{ action: string }>(
          "SELECT action FROM story_corrections ORDER BY id",
        );
        assert.deepEqual(audit.map((a) => a.action), ["move", "split", "merge"]);
      });
    } finally {
      await close();
    }
  });
}
