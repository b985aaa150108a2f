/**
 * Generated hostile input against the JSON API: wrong types, huge and
 * control-character strings, deep nesting, invalid UTF-8, SQL and HTML
 * payloads. No request may fail with a 5xx, and nothing invalid may be stored.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { countArticles, listArticles } from "../db/articles.ts";
import { pgliteTestDb } from "../db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { createModelRuntime } from "../lib/model_runtime.ts";
import { trainToyModel } from "../lib/test_model.ts";
import { ALICE_KEY, testApp, withKey } from "./test_app.ts";

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\u0000\u0001\u001f\u007f",
    "\ud800", // a lone surrogate
    "😀".repeat(1000),
    "x".repeat(200_000),
    "$1 $2 $$ ${}",
  ),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.string(),
        fc.constantFrom("title", "body", "text", "texts", "articles", "url", "publishedAt"),
      ),
      tie("value"),
      { maxKeys: 5 },
    ),
  ),
})).value;
const articleLike = fc.record({
  title: nasty,
  body: fc.option(nasty, { nil: undefined }),
  url: fc.option(fc.oneof(fc.webUrl(), nasty), { nil: undefined }),
  externalId: fc.option(nasty, { nil: undefined }),
  publishedAt: fc.option(
    fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nasty),
    { nil: undefined },
  ),
  language: fc.option(nasty, { nil: undefined }),
}, { requiredKeys: [] });

Deno.test("the JSON API answers generated hostile input without a 5xx", async (t) => {
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-fuzz-" });
  const { db, close } = await pgliteTestDb();
  await trainToyModel(db, modelDir);
  const models = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
  const { app } = testApp(db, { MODEL_DIR: modelDir, RATE_LIMIT_PER_MINUTE: "0" }, models);
  const post = (path: string, body: BodyInit) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": ALICE_KEY },
      body,
    });
  try {
    for (const path of ["/v1/articles", "/v1/classify", "/v1/summarize"]) {
      await t.step(`POST ${path} with arbitrary JSON`, async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              jsonish,
              articleLike,
              fc.record({ articles: fc.array(articleLike, { maxLength: 5 }) }),
              fc.record({ texts: fc.array(nasty, { maxLength: 5 }) }),
            ),
            async (value) => {
              const res = await post(path, JSON.stringify(value));
              await res.body?.cancel();
              return res.status < 500;
            },
          ),
          { numRuns: 150, seed: 20261127 },
        );
      });
    }

    await t.step("GET /v1/articles with arbitrary query strings", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.constantFrom("q", "source", "since", "until", "limit", "cursor", "language", "x"),
            nasty,
            { maxKeys: 4 },
          ),
          async (query) => {
            const qs = new URLSearchParams(query).toString();
            const res = await app.request(`/v1/articles?${qs}`, withKey());
            await res.body?.cancel();
            return res.status < 500;
          },
        ),
        { numRuns: 150, seed: 7 },
      );
    });

    await t.step("invalid UTF-8 and deep nesting are 4xx", async () => {
      const invalid = await post(
        "/v1/articles",
        new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      );
      assert.ok(invalid.status >= 400 && invalid.status < 500, String(invalid.status));
      await invalid.body?.cancel();
      const deep = await post("/v1/articles", "[".repeat(100_000) + "]".repeat(100_000));
      assert.ok(deep.status >= 400 && deep.status < 500, String(deep.status));
      await deep.body?.cancel();
    });

    await t.step(
      "whatever was stored is a valid article, and payloads are stored as text",
      async () => {
        const n = await countArticles(db);
        const stored = await listArticles(db, { limit: Math.max(1, n) });
        for (const a of stored) {
          assert.ok(a.title.trim().length > 0 && a.title.length <= 1_000);
          assert.ok(!a.title.includes("\u0000") && !a.body.includes("\u0000"));
        }
        const res = await post(
          "/v1/articles",
          JSON.stringify({
            title: "'; DROP TABLE articles; --",
            body: "<script>alert(1)</script>",
          }),
        );
        assert.equal(res.status, 201);
        const { items } = await res.json();
        const got = await (await app.request(`/v1/articles/${items[0].id}`, withKey())).json();
        assert.equal(got.body, "<script>alert(1)</script>");
        assert.ok(await countArticles(db) > 0);
      },
    );
  } finally {
    await models.close();
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});
