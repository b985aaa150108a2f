import assert from "node:assert/strict";
import { storeGivenLabels } from "../../../db/given_labels.ts";
import { activateModel, registerModel } from "../../../db/models.ts";
import { getReviewItem } from "../../../db/review/mod.ts";
import { pgliteTestDb } from "../../../testing/db/test_db.ts";
import { insertArticles } from "../../../db/articles.ts";
import { TOY_LABELS, toyCorpus } from "../../../testing/ml/toy_corpus.ts";
import { toNewArticle } from "../../../services/article_rows.ts";
import { ADMIN_KEY, ALICE_KEY, postJson, testApp } from "../../../testing/routes/test_app.ts";

Deno.test("POST /v1/review/label-issues queues stored labels that look wrong (admin)", async () => {
  const { db, close } = await pgliteTestDb();
  const { app } = testApp(db);
  const run = (body: unknown, key: string | null = ADMIN_KEY) =>
    app.request("/v1/review/label-issues", postJson(body, key));
  try {
    assert.equal((await run({}, null)).status, 401);
    const reviewer = await run({}, ALICE_KEY);
    assert.equal(reviewer.status, 403);
    for (const bad of [{ maxIssues: 0 }, { folds: 11 }, { repeats: 9 }, { everything: true }]) {
      const res = await run(bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
      assert.equal((await res.json()).error.code, "validationFailed");
    }
    const noModel = await run({});
    assert.equal(noModel.status, 409);
    assert.match(noModel.headers.get("content-type")!, /application\/json/);
    assert.equal((await noModel.json()).error.code, "noActiveModel");

    await registerModel(db, {
      version: "toy-v1",
      name: "toy",
      labels: TOY_LABELS,
      origin: "trained",
      location: "toy-v1",
    });
    await db.transaction((tx) =>
      activateModel(tx, { version: "toy-v1", action: "promote", actor: "test" })
    );
    const none = await run({});
    assert.equal(none.status, 409);
    assert.equal((await none.json()).error.code, "tooFewLabelled");

    // 120 toy articles with their labels, every 12th moved to the next toy label.
    const corpus = toyCorpus(120, 5);
    const stored = await insertArticles(
      db,
      corpus.map((e, i) => toNewArticle({ title: e.text, body: "", externalId: `t-${i}` })),
    );
    const flip = (l: string) => TOY_LABELS[(TOY_LABELS.indexOf(l) + 1) % TOY_LABELS.length];
    await storeGivenLabels(
      db,
      corpus.map((e, i) => ({
        articleId: stored[i].id,
        label: i % 12 === 5 ? flip(e.label) : e.label,
        source: "toy",
      })),
    );

    const res = await run({ maxIssues: 10, folds: 3, repeats: 1 });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /application\/json/);
    const body = await res.json();
    assert.equal(body.ranked, 120);
    assert.equal(body.modelVersion, "toy-v1");
    assert.ok(body.queued.length >= 1 && body.queued.length <= 10);
    const item = (await getReviewItem(db, body.queued[0]))!;
    assert.deepEqual(item.reasons, ["label_issue"]);
    assert.notEqual(item.labelIssue!.given, item.labelIssue!.suggested);

    const again = await (await run({ maxIssues: 10, folds: 3, repeats: 1 })).json();
    assert.deepEqual(again.queued, []);
    assert.equal(again.alreadyQueued, body.queued.length);
  } finally {
    await close();
  }
});
