/**
 * Two taxonomies served side by side (`topic` and `section`), end to end through the API
 * and the console: ingestion stores both predictions, classify and trends take the
 * taxonomy, review filters by it, and promotion or rollback of one leaves the other alone.
 */
import assert from "node:assert/strict";
import { activeModelVersion, activeModelVersions } from "../../db/models.ts";
import { predictionsFor } from "../../db/predictions.ts";
import { testDatabases } from "../../testing/db/test_db.ts";
import { loadConfig } from "../../lib/config.ts";
import { toyCorpus } from "../../testing/ml/toy_corpus.ts";
import { createModelRuntime } from "../../services/model_runtime.ts";
import { TOY_TRAINING, trainToyModel } from "../../testing/services/test_model.ts";
import { trainAndRegister } from "../../services/training.ts";
import { signIn } from "../../testing/routes/console/test_helpers.ts";
import { ADMIN_KEY, postJson, testApp, withKey } from "../../testing/routes/test_app.ts";

/** The toy topics under a newsroom's own section names. */
const SECTION_OF: Record<string, string> = {
  sport: "SPORTS",
  markets: "BUSINESS",
  science: "TECH",
};

const ARTICLES = [
  {
    title: "Striker scores late goal",
    body: "The league match ended after a goal by the striker.",
  },
  { title: "Shares rally", body: "Investors bought stocks after the bank reported profit." },
  { title: "Telescope finds planet", body: "NASA said the telescope and its software found it." },
].map((a, i) => ({
  ...a,
  externalId: `tax-${i}`,
  source: "example.com",
  publishedAt: "2024-03-0" + (i + 1) + "T10:00:00Z",
}));

for (const { name, open } of testDatabases()) {
  Deno.test(`two taxonomies side by side (${name})`, async (t) => {
    const { db, close } = await open();
    const modelDir = await Deno.makeTempDir({ prefix: "newsintel-taxonomies-" });
    const env = { MODEL_DIR: modelDir, REVIEW_THRESHOLD: "1", REVIEW_AUDIT_RATE: "0" };
    const topicA = await trainToyModel(db, modelDir, { seed: 1 });
    const topicB = await trainToyModel(db, modelDir, { seed: 2, activate: false });
    const trainSection = (seed: number) =>
      trainAndRegister(
        db,
        toyCorpus(300, seed + 10).map((e) => ({ ...e, label: SECTION_OF[e.label] })),
        { ...TOY_TRAINING, seed, name: "section", modelDir },
        { taxonomy: "section" },
      );
    const sectionA = await trainSection(1);
    const sectionB = await trainSection(2);
    const runtime = await createModelRuntime(db, loadConfig(env));
    const { app } = testApp(db, env, runtime);
    const promote = (version: string) =>
      app.request(`/v1/models/${version}/promote`, postJson({}, ADMIN_KEY));
    try {
      await t.step("promoting a section model leaves the topic model active", async () => {
        assert.equal((await promote(sectionA.version)).status, 200);
        assert.equal(await activeModelVersion(db), topicA.version);
        assert.equal(await activeModelVersion(db, "section"), sectionA.version);
        assert.deepEqual(await activeModelVersions(db), [
          { taxonomy: "section", version: sectionA.version },
          { taxonomy: "topic", version: topicA.version },
        ]);
        await runtime.refresh();
        assert.deepEqual(runtime.served().map((m) => [m.taxonomy, m.version]), [
          ["topic", topicA.version],
          ["section", sectionA.version],
        ]);
      });

      await t.step("GET /v1/models names each model's taxonomy and active flag", async () => {
        const body = await (await app.request("/v1/models", withKey())).json();
        assert.deepEqual(body.active, { topic: topicA.version, section: sectionA.version });
        const byVersion = new Map(
          body.items.map((m: { version: string }) => [m.version, m] as const),
        );
        const flags = (v: string) => {
          const m = byVersion.get(v) as { taxonomy: string; active: boolean; serving: boolean };
          return [m.taxonomy, m.active, m.serving];
        };
        assert.deepEqual(flags(topicA.version), ["topic", true, true]);
        assert.deepEqual(flags(topicB.version), ["topic", false, false]);
        assert.deepEqual(flags(sectionA.version), ["section", true, true]);
        assert.deepEqual(flags(sectionB.version), ["section", false, false]);
        assert.equal(body.history[0].taxonomy, "section");
      });

      await t.step("ingestion stores one prediction per article and active model", async () => {
        const res = await app.request("/v1/articles", postJson({ articles: ARTICLES }));
        assert.equal(res.status, 201);
        const { items } = await res.json();
        assert.equal(items.length, 3);
        const stored = await predictionsFor(db, items[0].id);
        assert.deepEqual(
          stored.map((p) => [p.taxonomy, p.modelVersion]).sort(),
          [["section", sectionA.version], ["topic", topicA.version]],
        );
        assert.equal(stored.find((p) => p.taxonomy === "topic")!.label, "sport");
        assert.equal(stored.find((p) => p.taxonomy === "section")!.label, "SPORTS");
        // The article's topic is the topic model's label, never a section.
        const article = await (await app.request(`/v1/articles/${items[0].id}`, withKey()))
          .json();
        assert.equal(article.topic, "sport");
      });

      await t.step(
        "POST /v1/classify?taxonomy= (or the older ?model=) picks the taxonomy, topic by default",
        async () => {
          const text = { text: "the striker scored a goal in the league match" };
          const plain = await (await app.request("/v1/classify", postJson(text))).json();
          assert.equal(plain.taxonomy, "topic");
          assert.equal(plain.model.version, topicA.version);
          assert.equal(plain.predictions[0].label, "sport");
          for (const q of ["taxonomy=section", "model=section", "taxonomy=section&model=section"]) {
            const res = await app.request(`/v1/classify?${q}`, postJson(text));
            assert.equal(res.status, 200, q);
            const body = await res.json();
            assert.equal(body.taxonomy, "section");
            assert.deepEqual(body.model, { name: "section", version: sectionA.version });
            assert.equal(body.predictions[0].label, "SPORTS");
          }
        },
      );

      await t.step(
        "the OpenAPI document marks ?model= deprecated in favour of ?taxonomy=",
        async () => {
          const doc = await (await app.request("/openapi.json")).json();
          const params: Array<{ name: string; deprecated?: boolean }> =
            doc.paths["/v1/classify"].post.parameters;
          assert.equal(params.find((p) => p.name === "model")?.deprecated, true);
          assert.equal(params.find((p) => p.name === "taxonomy")?.deprecated, undefined);
        },
      );

      await t.step("an unknown taxonomy is 404 and a malformed one 422", async () => {
        const text = { text: "goal" };
        for (const name of ["taxonomy", "model"]) {
          const unknown = await app.request(`/v1/classify?${name}=weather`, postJson(text));
          assert.equal(unknown.status, 404, name);
          assert.equal((await unknown.json()).error.code, "unknownTaxonomy", name);
          const bad = await app.request(`/v1/classify?${name}=Not%20A%20Name`, postJson(text));
          assert.equal(bad.status, 422, name);
        }
        const both = await app.request("/v1/classify?model=topic&taxonomy=section", postJson(text));
        assert.equal(both.status, 422);
        assert.equal((await both.json()).error.code, "conflictingTaxonomy");
        for (
          const path of [
            "/v1/trends?taxonomy=weather",
            "/v1/review/items?taxonomy=weather",
            "/v1/review/stats?taxonomy=weather",
          ]
        ) {
          const res = await app.request(path, withKey());
          assert.equal(res.status, 404, path);
          assert.equal((await res.json()).error.code, "unknownTaxonomy", path);
        }
        assert.equal((await app.request("/v1/trends?taxonomy=%00", withKey())).status, 422);
        const rollback = await app.request(
          "/v1/models/rollback?taxonomy=weather",
          postJson({}, ADMIN_KEY),
        );
        assert.equal(rollback.status, 404);
      });

      await t.step("GET /v1/trends?taxonomy= counts that taxonomy's labels", async () => {
        const labels = async (q: string) => {
          const res = await app.request(`/v1/trends?bucket=month&terms=3${q}`, withKey());
          assert.equal(res.status, 200, q);
          return (await res.json()).topics.map((x: { topic: string; total: number }) =>
            `${x.topic}:${x.total}`
          ).sort();
        };
        assert.deepEqual(await labels(""), ["markets:1", "science:1", "sport:1"]);
        assert.deepEqual(await labels("&taxonomy=topic"), ["markets:1", "science:1", "sport:1"]);
        assert.deepEqual(await labels("&taxonomy=section"), ["BUSINESS:1", "SPORTS:1", "TECH:1"]);
      });

      await t.step("the review queue and its stats filter by taxonomy", async () => {
        // REVIEW_THRESHOLD=1 queues every prediction: one item per article and taxonomy.
        const list = async (q: string) =>
          (await (await app.request(`/v1/review/items${q}`, withKey())).json()).items as {
            taxonomy: string;
            predictedLabel: string;
          }[];
        assert.equal((await list("")).length, 6);
        const section = await list("?taxonomy=section");
        assert.equal(section.length, 3);
        assert.ok(section.every((i) => i.taxonomy === "section"));
        assert.deepEqual(section.map((i) => i.predictedLabel).sort(), [
          "BUSINESS",
          "SPORTS",
          "TECH",
        ]);
        const stats = await (await app.request("/v1/review/stats?taxonomy=section", withKey()))
          .json();
        assert.equal(stats.total, 3);
        assert.deepEqual(
          stats.byPredictedLabel.map((l: { label: string }) => l.label),
          ["BUSINESS", "SPORTS", "TECH"],
        );
        assert.equal((await (await app.request("/v1/review/stats", withKey())).json()).total, 6);
        // A claim filtered by taxonomy takes that taxonomy's items only.
        const claim = await app.request(
          "/v1/review/claim",
          postJson({ limit: 5, filters: { taxonomy: "topic" } }),
        );
        const claimed = (await claim.json()).items as { taxonomy: string }[];
        assert.equal(claimed.length, 3);
        assert.ok(claimed.every((i) => i.taxonomy === "topic"));
      });

      await t.step("a settled section review does not change the article's topic", async () => {
        const [item] = await list(app, "?taxonomy=section&label=SPORTS");
        const claim = await app.request(
          "/v1/review/claim",
          postJson({ limit: 1, filters: { taxonomy: "section", label: "SPORTS" } }, ADMIN_KEY),
        );
        assert.equal((await claim.json()).items[0].id, item.id);
        const decided = await app.request(
          `/v1/review/items/${item.id}/decision`,
          postJson({ action: "label", label: "TECH" }, ADMIN_KEY),
        );
        assert.equal(decided.status, 200);
        const article = await (await app.request(`/v1/articles/${item.articleId}`, withKey()))
          .json();
        assert.equal(article.topic, "sport");
      });

      await t.step("promote and rollback of one taxonomy leave the other untouched", async () => {
        assert.equal((await promote(sectionB.version)).status, 200);
        assert.equal(await activeModelVersion(db, "section"), sectionB.version);
        assert.equal(await activeModelVersion(db), topicA.version);
        assert.equal(runtime.current("section")?.version, sectionB.version);
        assert.equal(runtime.current()?.version, topicA.version);
        assert.equal((await promote(topicB.version)).status, 200);
        const back = await app.request(
          "/v1/models/rollback?taxonomy=section",
          postJson({}, ADMIN_KEY),
        );
        assert.equal(back.status, 200);
        assert.equal((await back.json()).version, sectionA.version);
        assert.equal(await activeModelVersion(db, "section"), sectionA.version);
        assert.equal(await activeModelVersion(db), topicB.version);
        // Without ?taxonomy= the rollback is the topic taxonomy's, as it always was.
        const topicBack = await app.request("/v1/models/rollback", postJson({}, ADMIN_KEY));
        assert.equal((await topicBack.json()).version, topicA.version);
        assert.equal(await activeModelVersion(db, "section"), sectionA.version);
      });

      await t.step("the console offers the taxonomy switch and shows each one", async () => {
        const { cookie } = await signIn(app, ADMIN_KEY);
        const page = async (path: string) => {
          const res = await app.request(path, { headers: { cookie } });
          assert.equal(res.status, 200, path);
          return await res.text();
        };
        for (const path of ["/", "/queue", "/trends", "/review", "/articles"]) {
          const html = await page(path);
          assert.match(html, /data-testid="taxonomy-switch"/, path);
          assert.match(html, /<option\s+value="section"/, path);
        }
        const queue = await page("/queue?taxonomy=section");
        assert.match(queue, /<option\s+value="section"\s+selected/);
        assert.match(queue, /BUSINESS/);
        assert.doesNotMatch(queue, /<td[^>]*>markets</);
        assert.match(
          await page("/trends?taxonomy=section"),
          /&quot;taxonomy&quot;:&quot;section&quot;|"taxonomy":"section"/,
        );
        const review = await page("/review?taxonomy=section");
        assert.match(review, /section/);
        const articles = await page("/articles?taxonomy=section&label=BUSINESS");
        assert.match(articles, /Shares rally/);
        assert.doesNotMatch(articles, /Striker scores/);
        const models = await page("/models");
        assert.match(models, /data-testid="models-topic"/);
        assert.match(models, /data-testid="models-section"/);
        assert.match(models, /Roll back section/);
        const item = (await list(app, ""))[0] as unknown as { articleId: number };
        const article = await page(`/articles/${item.articleId}`);
        assert.match(article, /data-testid="prediction-topic"/);
        assert.match(article, /data-testid="prediction-section"/);
        // A stale taxonomy in a console URL falls back to topic rather than failing.
        assert.match(await page("/queue?taxonomy=weather"), /<option\s+value="topic"\s+selected/);
      });
    } finally {
      await runtime.close();
      await close();
      await Deno.remove(modelDir, { recursive: true }).catch(() => {});
    }
  });
}

/** Review items listed through the API with query `q`. */
async function list(
  app: ReturnType<typeof testApp>["app"],
  q: string,
): Promise<{ id: number; articleId: number; taxonomy: string }[]> {
  return (await (await app.request(`/v1/review/items${q}`, withKey())).json()).items;
}
