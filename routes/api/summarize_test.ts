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
      "maxWords stops once the budget is reached (the last sentence may cross it)",
      async () => {
        const res = await app.request("/v1/summarize", postJson({ text: ARTICLE, maxWords: 5 }));
        const body = await res.json();
        assert.equal(body.sentences.length, 1);
        assert.ok(body.summary.split(/\s+/).length >= 5);
      },
    );

    await t.step("maxSentences caps the number of sentences", async () => {
      const body =
        await (await app.request("/v1/summarize", postJson({ text: ARTICLE, maxSentences: 2 })))
          .json();
      assert.equal(body.sentences.length, 2);
    });

    await t.step("the older max_words and max_sentences answer as their new names", async () => {
      for (
        const [now, old] of [
          [{ maxWords: 12 }, { max_words: 12 }],
          [{ maxSentences: 2 }, { max_sentences: 2 }],
          [{ maxWords: 12, maxSentences: 4 }, { max_words: 12, maxSentences: 4 }],
        ]
      ) {
        const a = await app.request("/v1/summarize", postJson({ text: ARTICLE, ...now }));
        const b = await app.request("/v1/summarize", postJson({ text: ARTICLE, ...old }));
        assert.equal(b.status, 200, JSON.stringify(old));
        assert.equal(await b.text(), await a.text(), JSON.stringify(old));
      }
    });

    await t.step("a new name and its older one giving different values is 422", async () => {
      const res = await app.request(
        "/v1/summarize",
        postJson({ text: ARTICLE, maxWords: 5, max_words: 6 }),
      );
      assert.equal(res.status, 422);
      const body = await res.json();
      assert.equal(body.error.code, "validationFailed");
      assert.deepEqual(body.error.details.map((d: { path: string }) => d.path), ["max_words"]);
      const same = await app.request(
        "/v1/summarize",
        postJson({ text: ARTICLE, maxWords: 5, max_words: 5 }),
      );
      assert.equal(same.status, 200);
    });

    await t.step("the OpenAPI document marks the older names deprecated", async () => {
      const doc = await (await app.request("/openapi.json")).json();
      const props = doc.components.schemas.SummarizeBody.properties;
      assert.equal(props.max_words.deprecated, true);
      assert.equal(props.max_sentences.deprecated, true);
      assert.equal(props.maxWords.deprecated, undefined);
      assert.equal(props.maxSentences.deprecated, undefined);
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
          { text: "a", maxWords: 0 },
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
