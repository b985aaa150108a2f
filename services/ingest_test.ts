import assert from "node:assert/strict";
import { getArticle, listArticles } from "../db/articles.ts";
import { pgliteTestDb } from "../db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { contentHash, dedupKey, ingestArticles } from "./ingest.ts";
import { createTextServices } from "./text_services.ts";

Deno.test("dedupKey() prefers the external id, then the url, then the content", () => {
  const h = contentHash("T", "B");
  assert.equal(dedupKey({ externalId: "x", url: "https://a", title: "T", body: "B" }, h), "ext:x");
  assert.equal(dedupKey({ url: "https://a", title: "T", body: "B" }, h), "url:https://a/");
  assert.equal(dedupKey({ title: "T", body: "B" }, h), `hash:${h}`);
  assert.equal(contentHash("Hello  World", "x"), contentHash("hello world", " x "));
});

Deno.test("ingestArticles() stores a summary and the detected language of each new article", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const text = await createTextServices(loadConfig({}));
    const outcomes = await ingestArticles(db, [
      {
        title: "Le gouvernement présente son budget",
        body:
          "Le gouvernement a présenté mercredi un budget de rigueur. Les syndicats ont dénoncé des " +
          "coupes dans les services publics. Le débat commence la semaine prochaine à l'Assemblée.",
      },
      {
        title: "Storm closes schools",
        body:
          "A winter storm closed schools across the region on Monday. Officials urged drivers to stay " +
          "home. Power was out for thousands of homes.",
      },
      { title: "Given language is kept", body: "This one says what it is.", language: "de" },
    ], { text });
    const [fr, en, de] = await Promise.all(outcomes.map((o) => getArticle(db, o.id)));
    assert.equal(fr?.language, "fr");
    assert.equal(en?.language, "en");
    assert.ok((en?.languageConfidence ?? 0) > 0.5);
    assert.equal(de?.language, "de");
    assert.equal(de?.languageConfidence, null);
    assert.equal(en?.summaryMethod, "extractive");
    assert.ok(en?.summary?.startsWith("A winter storm closed schools"));
    assert.deepEqual((await listArticles(db, { language: "fr", limit: 10 })).map((a) => a.id), [
      fr!.id,
    ]);
  } finally {
    await close();
  }
});
