import assert from "node:assert/strict";
import { pgliteTestDb } from "../../testing/db/test_db.ts";
import { postJson, testApp } from "../../testing/routes/test_app.ts";

const ARTICLE = "The central bank raised interest rates by half a point on Tuesday. " +
  "Officials said inflation had stayed too high for too long. " +
  "Markets had expected a smaller move. " +
  "Shares in banks rose while house builders fell. " +
  "The governor will speak to MPs next week about the decision.";

Deno.test("POST /v1/summarize", async (t) => {
  const { db, close } = await pgliteTestDb();
  const { app } = testApp(db);
  try {
    await t.step("defaults to three sentences in article order", async () => {
      const res = await app.request(
        "/v1/summarize",
        postJson({ text: ARTICLE, title: "Bank raises rates" }),
      );
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type")!, /application\/json/);
      const body = await res.json();
      assert.equal(body.method, "extractive");
      assert.equal(body.sentences.length, 3);
      const positions = body.sentences.map((s: string) => ARTICLE.indexOf(s));
      assert.ok(positions.every((p: number) => p >= 0));
      assert.deepEqual(positions, [...positions].sort((a: number, b: number) => a - b));
      assert.equal(body.summary, body.sentences.join(" "));
    });

    await t.step(
      "max_words stops once the budget is reached (the last sentence may cross it)",
      async () => {
        const res = await app.request("/v1/summarize", postJson({ text: ARTICLE, max_words: 5 }));
        const body = await res.json();
        assert.equal(body.sentences.length, 1);
        assert.ok(body.summary.split(/\s+/).length >= 5);
      },
    );

    await t.step("max_sentences caps the number of sentences", async () => {
      const body =
        await (await app.request("/v1/summarize", postJson({ text: ARTICLE, max_sentences: 2 })))
          .json();
      assert.equal(body.sentences.length, 2);
    });

    await t.step("text without a sentence boundary still gets a summary", async () => {
      const body = await (await app.request(
        "/v1/summarize",
        postJson({ text: "breaking news no punctuation here" }),
      )).json();
      assert.equal(body.summary, "breaking news no punctuation here");
    });

    await t.step("bad input is 422", async () => {
      for (
        const bad of [
          { text: "" },
          { text: "  " },
          { text: "a", max_words: 0 },
          { text: "a", ratio: 1.5 },
          { text: "a", foo: 1 },
          {},
        ]
      ) {
        const res = await app.request("/v1/summarize", postJson(bad));
        assert.equal(res.status, 422, JSON.stringify(bad));
      }
    });
  } finally {
    await close();
  }
});
