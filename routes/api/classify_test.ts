import assert from "node:assert/strict";
import { pgliteTestDb } from "../../testing/db/test_db.ts";
import { createModelRuntime } from "../../services/model_runtime.ts";
import { TOY_LABELS, trainToyModel } from "../../testing/services/test_model.ts";
import { predictionsFor } from "../../db/predictions.ts";
import { reviewCounts } from "../../db/review/mod.ts";
import { loadConfig } from "../../lib/config.ts";
import { articleText } from "../../ml/article_text.ts";
import { postJson, testApp, withKey } from "../../testing/routes/test_app.ts";

// One test with steps, so the model is disposed before the process exits
// (onnxruntime's native session must not outlive the test worker).
Deno.test("/v1/classify", async (t) => {
  const modelDir = await Deno.makeTempDir({ prefix: "newsintel-models-" });
  const { db, close } = await pgliteTestDb();
  const manifest = await trainToyModel(db, modelDir);
  const models = await createModelRuntime(db, loadConfig({ MODEL_DIR: modelDir }));
  const { app } = testApp(db, { MODEL_DIR: modelDir }, models);
  try {
    await t.step(
      "POST /v1/classify with one text returns one prediction over every label",
      async () => {
        const res = await app.request(
          "/v1/classify",
          postJson({ text: "The striker scored a late goal in the cup match." }),
        );
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assert.deepEqual(body.model, { name: "toy", version: manifest.version });
        assert.equal(body.predictions.length, 1);
        const [p] = body.predictions;
        assert.equal(p.label, "sport");
        assert.deepEqual(Object.keys(p.scores).sort(), TOY_LABELS);
        assert.equal(p.score, p.scores[p.label]);
        const total = Object.values(p.scores as Record<string, number>).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 1) < 1e-5);
      },
    );

    await t.step("POST /v1/classify with texts answers in order", async () => {
      const texts = [
        "Shares and stocks fell as investors fled the bank.",
        "NASA launched a new telescope.",
        "The coach praised the league season.",
      ];
      const res = await app.request("/v1/classify", postJson({ texts }));
      assert.equal(res.status, 200);
      const labels = (await res.json()).predictions.map((p: { label: string }) => p.label);
      assert.deepEqual(labels, ["markets", "science", "sport"]);
    });

    await t.step("POST /v1/classify refuses bad input with 422 naming the item", async () => {
      const cases: Array<[unknown, string]> = [
        [{ text: "   " }, "text"],
        [{ texts: [] }, "texts"],
        [{ texts: ["ok", 42] }, "texts.1"],
        [{ texts: ["ok", ""] }, "texts.1"],
        [{ texts: Array.from({ length: 257 }, () => "x") }, "texts"],
        [{ text: "x".repeat(20_001) }, "text"],
        [{ text: "a", texts: ["b"] }, ""],
        [{ articles: [] }, "articles"],
        [{ articles: [{ body: "no title" }] }, "articles.0.title"],
        [{ articles: [{ title: "   " }] }, "articles.0.title"],
        [{ articles: [{ title: "x".repeat(1_001) }] }, "articles.0.title"],
        [{ articles: [{ title: "a", body: "x".repeat(20_001) }] }, "articles.0.body"],
        [{ articles: Array.from({ length: 257 }, () => ({ title: "x" })) }, "articles"],
      ];
      for (const [body, path] of cases) {
        const res = await app.request("/v1/classify", postJson(body));
        assert.equal(res.status, 422, JSON.stringify(body).slice(0, 80));
        const err = (await res.json()).error;
        assert.equal(err.code, "validationFailed");
        assert.equal(err.details[0].path, path, JSON.stringify(body).slice(0, 80));
      }
    });

    await t.step(
      "POST /v1/classify with articles classifies each as ingestion shows it to the model",
      async () => {
        const articles = [
          { title: "Shares and profit", body: "The striker scored a goal in the cup." },
          { title: "NASA launched a new telescope." },
        ];
        const res = await app.request("/v1/classify", postJson({ articles }));
        assert.equal(res.status, 200);
        const got = (await res.json()).predictions;
        const texts = articles.map((a) => articleText(a.title, a.body ?? ""));
        const asTexts = await app.request("/v1/classify", postJson({ texts }));
        assert.deepEqual(got, (await asTexts.json()).predictions);
        assert.equal(got.length, 2);
      },
    );

    await t.step("POST /v1/classify needs an API key", async () => {
      const res = await app.request("/v1/classify", postJson({ text: "goal" }, null));
      assert.equal(res.status, 401);
    });

    await t.step("POST /v1/classify without a loaded model is 503", async () => {
      const bare = testApp(db).app;
      const res = await bare.request("/v1/classify", postJson({ text: "goal" }));
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error.code, "modelUnavailable");
    });

    await t.step(
      "ingesting articles stores a prediction per new article with the model version",
      async () => {
        const res = await app.request(
          "/v1/articles",
          postJson({
            articles: [
              { title: "Cup final", body: "The striker scored a goal for the league leaders." },
              {
                title: "Markets",
                body: "Stocks and shares rallied as investors cheered bank earnings.",
              },
            ],
          }),
        );
        assert.equal(res.status, 201);
        const items = (await res.json()).items;
        const [sport] = await predictionsFor(db, items[0].id);
        const [markets] = await predictionsFor(db, items[1].id);
        assert.equal(sport.label, "sport");
        assert.equal(sport.modelVersion, manifest.version);
        assert.equal(markets.label, "markets");
        assert.deepEqual(Object.keys(markets.scores).sort(), TOY_LABELS);
      },
    );
    await t.step(
      "ingestion queues predictions under REVIEW_THRESHOLD for review, with the reason",
      async () => {
        const strict = testApp(
          db,
          { MODEL_DIR: modelDir, REVIEW_THRESHOLD: "1", REVIEW_AUDIT_RATE: "0" },
          models,
        ).app;
        const before = (await reviewCounts(db)).total;
        const res = await strict.request(
          "/v1/articles",
          postJson({
            articles: [
              { title: "Queue me", body: "The coach and the striker after the league match." },
              { title: "Queue me too", body: "Telescope and robot software news." },
            ],
          }),
        );
        assert.equal(res.status, 201);
        const counts = await reviewCounts(db);
        assert.equal(counts.total, before + 2);
        assert.ok((counts.byReason.low_confidence ?? 0) >= 2);
        const lax = testApp(
          db,
          { MODEL_DIR: modelDir, REVIEW_THRESHOLD: "0", REVIEW_AUDIT_RATE: "0" },
          models,
        ).app;
        await lax.request(
          "/v1/articles",
          postJson({ title: "Not queued", body: "Shares and profit at the bank." }),
        );
        assert.equal((await reviewCounts(db)).total, before + 2);
      },
    );

    await t.step("/metrics counts predictions by label and names the served model", async () => {
      const text = await (await app.request("/metrics?format=prometheus", withKey())).text();
      assert.match(
        text,
        new RegExp(`newsintel_model_info\\{name="toy",version="${manifest.version}"[^}]*\\} 1`),
      );
      assert.match(
        text,
        /newsintel_predictions_total\{[^}]*label="sport"[^}]*via="classify"[^}]*\} [1-9]/,
      );
      assert.match(text, /newsintel_predictions_total\{[^}]*via="ingest"[^}]*\} [1-9]/);
      assert.match(text, /newsintel_prediction_confidence_count\{[^}]*\} [1-9]/);
      assert.match(text, /newsintel_review_queue_depth\{reason="low_confidence"[^}]*\} [1-9]/);
    });
  } finally {
    await models.close();
    await close();
    await Deno.remove(modelDir, { recursive: true });
  }
});
