import assert from "node:assert/strict";
import { insertArticles } from "../db/articles.ts";
import { registerModel } from "../db/models.ts";
import { insertPredictions } from "../db/predictions.ts";
import {
  listAudit,
  listReviewItems,
  setShadowModel,
  shadowAgreement,
  shadowModelVersion,
} from "../db/review/mod.ts";
import {
  activateTestModel,
  MODEL,
  registerTestModel,
  scoresFor,
} from "../testing/db/review/test_helpers.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { toNewArticle } from "./article_rows.ts";
import {
  predictionMargin,
  queueForReview,
  queueManually,
  type ReviewPolicy,
  reviewPolicy,
  reviewReasons,
  type RoutedPrediction,
} from "./review_routing.ts";

const POLICY: ReviewPolicy = { threshold: 0.6, auditRate: 0.1, overlap: 1, languages: [] };
const never = () => 0.99;
const always = () => 0;

const prediction = (label: string, score: number) => ({
  label,
  score,
  scores: scoresFor(label, score),
});
const routed = (articleId: number, label: string, score: number): RoutedPrediction => ({
  articleId,
  modelVersion: MODEL,
  prediction: prediction(label, score),
});

Deno.test("predictionMargin() is top-1 minus top-2", () => {
  assert.equal(
    predictionMargin({ label: "a", score: 0.5, scores: { a: 0.5, b: 0.3, c: 0.2 } }),
    0.5 - 0.3,
  );
  assert.equal(predictionMargin({ label: "a", score: 0.4, scores: { c: 0.2, b: 0.4, a: 0.4 } }), 0);
  assert.equal(predictionMargin({ label: "a", score: 1, scores: { a: 1 } }), 1);
});

Deno.test("reviewReasons() names every reason that applies", () => {
  assert.deepEqual(reviewReasons(routed(1, "sport", 0.9), POLICY, never), []);
  assert.deepEqual(reviewReasons(routed(1, "sport", 0.5), POLICY, never), ["low_confidence"]);
  assert.deepEqual(reviewReasons(routed(1, "sport", 0.9), POLICY, always), ["audit"]);
  // The audit draw is made for unconfident predictions too, so audits sample all traffic.
  assert.deepEqual(reviewReasons(routed(1, "sport", 0.5), POLICY, always), [
    "low_confidence",
    "audit",
  ]);
  const shadowed = {
    ...routed(1, "sport", 0.9),
    shadow: { modelVersion: "cand", prediction: prediction("markets", 0.7) },
  };
  assert.deepEqual(reviewReasons(shadowed, POLICY, never), ["shadow_disagreement"]);
  const agreeing = {
    ...shadowed,
    shadow: { modelVersion: "cand", prediction: prediction("sport", 0.8) },
  };
  assert.deepEqual(reviewReasons(agreeing, POLICY, never), []);
  const en = { ...POLICY, languages: ["en"] };
  assert.deepEqual(reviewReasons({ ...routed(1, "sport", 0.9), language: "de" }, en, never), [
    "language",
  ]);
  assert.deepEqual(reviewReasons({ ...routed(1, "sport", 0.9), language: "en-GB" }, en, never), []);
  assert.deepEqual(reviewReasons({ ...routed(1, "sport", 0.9), language: null }, en, never), []);
});

Deno.test("reviewPolicy() reads REVIEW_* from the configuration", () => {
  assert.deepEqual(
    reviewPolicy(loadConfig({
      REVIEW_THRESHOLD: "0.7",
      REVIEW_AUDIT_RATE: "0.05",
      REVIEW_OVERLAP: "3",
      REVIEW_LANGUAGES: "en,de",
    })),
    { threshold: 0.7, auditRate: 0.05, overlap: 3, languages: ["en", "de"] },
  );
  assert.deepEqual(reviewPolicy(loadConfig({})), {
    threshold: 0.6,
    auditRate: 0.01,
    overlap: 1,
    languages: ["en"],
  });
  assert.deepEqual(reviewPolicy(loadConfig({ REVIEW_LANGUAGES: "any" })).languages, []);
});

for (const { name, open } of testDatabases()) {
  Deno.test(`queueForReview() routing in the ingestion transaction (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const articles = async (n: number) => {
      await reset();
      await registerTestModel(db);
      const out = await insertArticles(
        db,
        Array.from({ length: n }, (_, i) => toNewArticle({ title: `t${i}`, body: `b${i}` })),
      );
      return out.map((o) => o.id);
    };
    try {
      await t.step(
        "queues low-confidence, disagreeing and audited predictions with their reasons",
        async () => {
          const ids = await articles(5);
          const draws = [0.99, 0.99, 0.99, 0.01, 0.99];
          const queued = await db.transaction((tx) =>
            queueForReview(
              tx,
              [
                routed(ids[0], "sport", 0.9), // confident: not queued
                routed(ids[1], "sport", 0.45), // low confidence
                {
                  ...routed(ids[2], "sport", 0.8),
                  shadow: { modelVersion: MODEL, prediction: prediction("markets", 0.6) },
                },
                routed(ids[3], "markets", 0.95), // audit draw
                routed(ids[4], "science", 0.55), // low confidence, larger margin than ids[1]
              ],
              { ...POLICY, overlap: 2 },
              () => draws.shift()!,
            )
          );
          assert.equal(queued, 4);
          const items = await listReviewItems(db, {}, { limit: 10 });
          assert.deepEqual(items.map((i) => [i.articleId, i.reasons]), [
            [ids[1], ["low_confidence"]],
            [ids[4], ["low_confidence"]],
            [ids[2], ["shadow_disagreement"]],
            [ids[3], ["audit"]],
          ], "most informative (smallest margin) first");
          assert.ok(items.every((i) => i.requiredLabels === 2 && i.status === "queued"));
          assert.deepEqual([items[2].shadowVersion, items[2].shadowLabel], [MODEL, "markets"]);
          const audit = await listAudit(db, { event: "queued", limit: 10 });
          assert.equal(audit.length, 4);
          assert.ok(audit.every((e) => e.actor === "router"));
        },
      );

      await t.step("an article already queued is not queued again", async () => {
        const ids = await articles(1);
        await queueForReview(db, [routed(ids[0], "sport", 0.3)], POLICY, never);
        assert.equal(await queueForReview(db, [routed(ids[0], "sport", 0.3)], POLICY, never), 0);
        assert.equal((await listReviewItems(db, {}, { limit: 10 })).length, 1);
      });

      await t.step("a rolled-back ingestion leaves nothing queued", async () => {
        const ids = await articles(1);
        await assert.rejects(() =>
          db.transaction(async (tx) => {
            await queueForReview(tx, [routed(ids[0], "sport", 0.3)], POLICY, never);
            throw new Error("ingestion failed");
          })
        );
        assert.equal((await listReviewItems(db, {}, { limit: 10 })).length, 0);
      });

      await t.step("shadow predictions are recorded and their agreement reported", async () => {
        const ids = await articles(4);
        await registerTestModel(db, "candidate");
        assert.equal(await setShadowModel(db, "candidate", "ann"), true);
        assert.equal(await setShadowModel(db, "candidate", "ann"), false);
        assert.equal(await shadowModelVersion(db), "candidate");
        const shadowOf = (label: string) => ({
          modelVersion: "candidate",
          prediction: prediction(label, 0.9),
        });
        await queueForReview(
          db,
          [
            { ...routed(ids[0], "sport", 0.9), shadow: shadowOf("sport") },
            { ...routed(ids[1], "sport", 0.9), shadow: shadowOf("markets") },
            { ...routed(ids[2], "science", 0.9), shadow: shadowOf("science") },
            { ...routed(ids[3], "science", 0.9), shadow: shadowOf("science") },
          ],
          POLICY,
          never,
        );
        const [agreement] = await shadowAgreement(db, "candidate");
        assert.deepEqual(
          [agreement.activeVersion, agreement.compared, agreement.agreeing, agreement.rate],
          [MODEL, 4, 3, 0.75],
        );
        assert.deepEqual(agreement.disagreements, [{
          activeLabel: "sport",
          shadowLabel: "markets",
          count: 1,
        }]);
        await setShadowModel(db, null, "ann");
        assert.equal(await shadowModelVersion(db), null);
      });

      await t.step(
        "queueManually() queues an article with its active model's prediction",
        async () => {
          const ids = await articles(2);
          await activateTestModel(db);
          await insertPredictions(db, [{
            articleId: ids[0],
            modelVersion: MODEL,
            ...prediction("sport", 0.97),
          }]);
          const queued = await queueManually(db, "ann", ids[0], POLICY, { note: "looks off" });
          assert.ok(queued.ok);
          const item = queued.value;
          assert.deepEqual([item.reasons, item.predictedLabel, item.status], [
            ["manual"],
            "sport",
            "queued",
          ]);
          const [entry] = await listAudit(db, { itemId: item.id, limit: 1 });
          assert.deepEqual([entry.actor, entry.event, entry.note], ["ann", "queued", "looks off"]);
          const code = async (outcome: Promise<{ ok: boolean; code?: string }>) =>
            (await outcome).code ?? "queued";
          assert.equal(await code(queueManually(db, "ann", ids[0], POLICY)), "alreadyQueued");
          assert.equal(await code(queueManually(db, "ann", ids[1], POLICY)), "noPrediction");
          assert.deepEqual(await queueManually(db, "ann", 999_999, POLICY), {
            ok: false,
            code: "articleNotFound",
            message: "No article 999999.",
          });
          // Another taxonomy's prediction of the same article has a queue of its own.
          await registerModel(db, {
            version: "section-v1",
            name: "section",
            labels: ["POLITICS", "SPORTS"],
            origin: "trained",
            location: "section-v1",
            taxonomy: "section",
          });
          await insertPredictions(db, [{
            articleId: ids[0],
            modelVersion: "section-v1",
            label: "SPORTS",
            score: 0.9,
            scores: { POLITICS: 0.1, SPORTS: 0.9 },
          }]);
          const queuedSection = await queueManually(db, "ann", ids[0], POLICY, {
            taxonomy: "section",
          });
          assert.ok(queuedSection.ok);
          const section = queuedSection.value;
          assert.deepEqual([section.taxonomy, section.predictedLabel, section.modelVersion], [
            "section",
            "SPORTS",
            "section-v1",
          ]);
          assert.equal(
            await code(queueManually(db, "ann", ids[1], POLICY, { taxonomy: "section" })),
            "noPrediction",
          );
        },
      );
    } finally {
      await close();
    }
  });
}
