import assert from "node:assert/strict";
import { countArticles } from "../../db/articles.ts";
import { insertArticleVectors } from "../../db/article_vectors.ts";
import { registerModel } from "../../db/models.ts";
import { testDatabases } from "../../testing/db/test_db.ts";
import { BOB_KEY, postJson, testApp, withKey } from "../../testing/routes/test_app.ts";

const VECTOR_MODEL = { name: "toy", version: "v", labels: ["a", "b"] };
const good = (i: number) => ({ title: `Headline ${i}`, body: `Body ${i}`, source: "wire" });

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/articles (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db);
    try {
      await t.step("POST one article stores it: 201 with its id", async () => {
        await reset();
        const res = await app.request("/v1/articles", postJson(good(1)));
        assert.equal(res.status, 201);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assert.equal(body.created, 1);
        assert.equal(body.items[0].status, "created");
        const got = await app.request(`/v1/articles/${body.items[0].id}`, withKey());
        assert.equal(got.status, 200);
        assert.equal((await got.json()).title, "Headline 1");
      });

      await t.step("re-sending the same article is reported as a duplicate: 200", async () => {
        const res = await app.request("/v1/articles", postJson(good(1)));
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.deepEqual([body.created, body.duplicates, body.items[0].status], [
          0,
          1,
          "duplicate",
        ]);
        assert.equal(await countArticles(db), 1);
      });

      await t.step("a batch with one bad item is refused whole: 422 naming it", async () => {
        await reset();
        const res = await app.request(
          "/v1/articles",
          postJson({ articles: [good(1), good(2), { title: "", body: "x" }, good(4)] }),
        );
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.equal(body.error.code, "validationFailed");
        assert.equal(body.error.details[0].path, "articles.2.title");
        assert.ok(body.error.requestId);
        assert.equal(await countArticles(db), 0);
      });

      await t.step(
        "section (or the older category) is stored and answered as category",
        async () => {
          const sent = [
            { ...good(601), section: "politics" },
            { ...good(602), category: "politics" },
            { ...good(603), section: "politics", category: "politics" },
          ];
          const res = await app.request("/v1/articles", postJson({ articles: sent }));
          assert.equal(res.status, 201);
          for (const item of (await res.json()).items) {
            const got = await (await app.request(`/v1/articles/${item.id}`, withKey())).json();
            assert.equal(got.category, "politics");
            assert.equal(got.section, undefined);
          }
          const both = await app.request(
            "/v1/articles",
            postJson({ ...good(604), section: "politics", category: "sport" }),
          );
          assert.equal(both.status, 422);
          const body = await both.json();
          assert.equal(body.error.code, "validationFailed");
          assert.deepEqual(body.error.details.map((d: { path: string }) => d.path), ["category"]);
          const doc = await (await app.request("/openapi.json")).json();
          const props = doc.components.schemas.ArticleInput.properties;
          assert.equal(props.category.deprecated, true);
          assert.equal(props.section.deprecated, undefined);
        },
      );

      await t.step("a batch of 500 is accepted and 501 is refused", async () => {
        await reset();
        const ok = await app.request(
          "/v1/articles",
          postJson({ articles: Array.from({ length: 500 }, (_, i) => good(i)) }),
        );
        assert.equal(ok.status, 201);
        assert.equal((await ok.json()).created, 500);
        const tooMany = await app.request(
          "/v1/articles",
          postJson({ articles: Array.from({ length: 501 }, (_, i) => good(1000 + i)) }),
        );
        assert.equal(tooMany.status, 422);
        assert.equal((await tooMany.json()).error.details[0].path, "articles");
        assert.equal(await countArticles(db), 500);
      });

      await t.step("bad field values are 422 with per-field details", async () => {
        const res = await app.request(
          "/v1/articles",
          postJson({ title: "ok", url: "javascript:alert(1)", publishedAt: "yesterday", extra: 1 }),
        );
        assert.equal(res.status, 422);
        const paths = (await res.json()).error.details.map((d: { path: string }) => d.path);
        assert.deepEqual(paths.sort(), ["", "publishedAt", "url"]); // "" is the unknown key `extra`
      });

      await t.step("publishedAt as feeds write it is stored and returned in UTC", async () => {
        await reset();
        const dates = [
          ["2017-03-27T00:00:00", "2017-03-27T00:00:00.000Z"],
          ["2013-06-13", "2013-06-13T00:00:00.000Z"],
          ["Mon, 27 Mar 2017 09:30:00 +0200", "2017-03-27T07:30:00.000Z"],
          ["2017-03-27T09:30:00-05:00", "2017-03-27T14:30:00.000Z"],
        ];
        for (const [i, [sent, stored]] of dates.entries()) {
          const res = await app.request(
            "/v1/articles",
            postJson({ ...good(100 + i), publishedAt: sent }),
          );
          assert.equal(res.status, 201, sent);
          const id = (await res.json()).items[0].id;
          const got = await (await app.request(`/v1/articles/${id}`, withKey())).json();
          assert.equal(got.publishedAt, stored, sent);
        }
      });

      await t.step(
        "publishedAt that is no date, or no real day, is 422 and stores nothing",
        async () => {
          await reset();
          for (
            const bad of ["2017-02-30", "27/03/2017", "1800-01-01", "Mon, 27 Mar 2017 25:00 GMT"]
          ) {
            const res = await app.request(
              "/v1/articles",
              postJson({ ...good(1), publishedAt: bad }),
            );
            assert.equal(res.status, 422, bad);
            const body = await res.json();
            assert.equal(body.error.details[0].path, "publishedAt", bad);
          }
          assert.equal(await countArticles(db), 0);
        },
      );

      await t.step("NUL characters are refused rather than failing in the database", async () => {
        const res = await app.request("/v1/articles", postJson({ title: "a\u0000b", body: "x" }));
        assert.equal(res.status, 422);
      });

      await t.step("writes without a valid key are 401 and store nothing", async () => {
        await reset();
        const none = await app.request("/v1/articles", postJson(good(1), null));
        assert.equal(none.status, 401);
        assert.equal((await none.json()).error.code, "unauthorized");
        const wrong = await app.request("/v1/articles", postJson(good(1), "not-a-real-key-123"));
        assert.equal(wrong.status, 401);
        const bob = await app.request("/v1/articles", postJson(good(1), BOB_KEY));
        assert.equal(bob.status, 201);
        assert.equal(await countArticles(db), 1);
      });

      await t.step("malformed JSON is 400", async () => {
        const res = await app.request("/v1/articles", postJson("{not json"));
        assert.equal(res.status, 400);
        assert.equal((await res.json()).error.code, "malformedRequest");
      });

      await t.step("GET pages through everything with the cursor", async () => {
        await reset();
        await app.request(
          "/v1/articles",
          postJson({ articles: Array.from({ length: 25 }, (_, i) => good(i)) }),
        );
        const ids: number[] = [];
        let url = "/v1/articles?limit=10";
        for (;;) {
          const res = await app.request(url, withKey());
          assert.equal(res.status, 200);
          const page = await res.json();
          ids.push(...page.items.map((a: { id: number }) => a.id));
          if (!page.nextCursor) break;
          url = `/v1/articles?limit=10&cursor=${page.nextCursor}`;
        }
        assert.equal(ids.length, 25);
        assert.equal(new Set(ids).size, 25);
      });

      await t.step("bad query parameters are 422", async () => {
        for (
          const q of [
            "limit=0",
            "limit=201",
            "cursor=%25%25",
            "since=notadate",
            "since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z",
          ]
        ) {
          const res = await app.request(`/v1/articles?${q}`, withKey());
          assert.equal(res.status, 422, q);
        }
      });

      await t.step("an unknown article is 404 articleNotFound", async () => {
        const res = await app.request("/v1/articles/987654", withKey());
        assert.equal(res.status, 404);
        assert.equal((await res.json()).error.code, "articleNotFound");
        assert.equal((await app.request("/v1/articles/abc", withKey())).status, 422);
      });

      await t.step(
        "GET /similar lists the nearest articles by stored vectors, best first",
        async () => {
          await reset();
          await registerModel(db, { ...VECTOR_MODEL, origin: "trained", location: "v" });
          const ids: number[] = (await (await app.request(
            "/v1/articles",
            postJson({ articles: [good(1), good(2), good(3)] }),
          )).json()).items.map((i: { id: number }) => i.id);
          const now = new Date().toISOString();
          await insertArticleVectors(db, [
            { articleId: ids[0], modelVersion: "v", publishedAt: now, vector: [1, 0] },
            { articleId: ids[1], modelVersion: "v", publishedAt: now, vector: [0, 1] },
            { articleId: ids[2], modelVersion: "v", publishedAt: now, vector: [0.9, 0.1] },
          ]);
          const res = await app.request(`/v1/articles/${ids[0]}/similar?limit=5`, withKey());
          assert.equal(res.status, 200);
          assert.match(res.headers.get("content-type")!, /application\/json/);
          const body = await res.json();
          assert.equal(body.basis, "vectors");
          assert.deepEqual(body.items.map((i: { id: number }) => i.id), [ids[2], ids[1]]);
          assert.equal(
            (await app.request(`/v1/articles/${ids[0]}/similar`)).status,
            401,
            "needs a key",
          );
        },
      );

      await t.step(
        "GET /similar: no vector is an empty list, no article 404, bad query 422",
        async () => {
          const stored = (await (await app.request("/v1/articles", postJson(good(9)))).json())
            .items[0].id;
          const none = await app.request(`/v1/articles/${stored}/similar`, withKey());
          assert.equal(none.status, 200);
          assert.deepEqual(await none.json(), { basis: "none", items: [] });
          const missing = await app.request("/v1/articles/999999/similar", withKey());
          assert.equal(missing.status, 404);
          assert.equal((await missing.json()).error.code, "articleNotFound");
          for (const q of ["days=0", "days=366", "limit=51", "limit=x"]) {
            const bad = await app.request(`/v1/articles/${stored}/similar?${q}`, withKey());
            assert.equal(bad.status, 422, q);
          }
        },
      );
    } finally {
      await close();
    }
  });
}

Deno.test("article reads need a key unless AUTH_READS is false", async () => {
  const { pgliteTestDb } = await import("../../testing/db/test_db.ts");
  const { db, close } = await pgliteTestDb();
  try {
    const closed = testApp(db).app;
    assert.equal((await closed.request("/v1/articles")).status, 401);
    assert.equal((await closed.request("/v1/articles", withKey(BOB_KEY))).status, 200);
    const open = testApp(db, { AUTH_READS: "false" }).app;
    assert.equal((await open.request("/v1/articles")).status, 200);
    // A wrong key is refused even where no key is needed: it is a guess, and counted.
    assert.equal((await open.request("/v1/articles", withKey("wrong-key-xxxxxxx"))).status, 401);
  } finally {
    await close();
  }
});

Deno.test("a body over MAX_BODY_BYTES is 413", async () => {
  const { pgliteTestDb } = await import("../../testing/db/test_db.ts");
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(db, { MAX_BODY_BYTES: "2048" });
    const res = await app.request(
      "/v1/articles",
      postJson({ title: "big", body: "x".repeat(4096) }),
    );
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payloadTooLarge");
    assert.equal(await countArticles(db), 0);
  } finally {
    await close();
  }
});
