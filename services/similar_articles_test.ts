import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { registerModel } from "../db/models.ts";
import { ingestArticles } from "./ingest.ts";
import type { ModelInput, ModelRuntime } from "./model_runtime.ts";
import { similarArticles, termOverlap } from "./similar_articles.ts";

const MODEL = { name: "toy", version: "v-vectors", labels: ["a", "b"] };

/** A served model that gives each text the vector its first word names. */
function fakeModels(vectors: Record<string, number[]>): ModelRuntime {
  return {
    classifyAll: (inputs: ModelInput[]) =>
      Promise.resolve([{
        model: MODEL,
        predictions: inputs.map(() => ({ label: "a", score: 0.9, scores: { a: 0.9, b: 0.1 } })),
        vectors: inputs.map((input) => {
          const text = typeof input === "string" ? input : input.title;
          return Float32Array.from(vectors[text.split(/\W+/)[0]] ?? [0, 0, 0]);
        }),
      }]),
  } as unknown as ModelRuntime;
}

const article = (title: string, day: number) => ({
  title,
  body: `${title} report`,
  publishedAt: new Date(Date.UTC(2026, 0, day)).toISOString(),
});

for (const { name, open } of testDatabases()) {
  Deno.test(`similarArticles() (${name})`, async (t) => {
    const { db, close } = await open();
    try {
      await registerModel(db, { ...MODEL, origin: "trained", location: MODEL.version });
      const models = fakeModels({
        football: [1, 0, 0],
        soccer: [0.9, 0.1, 0],
        stocks: [0, 1, 0],
        rugby: [0.8, 0.2, 0],
      });
      const ids = (await ingestArticles(db, [
        article("football final", 10),
        article("soccer cup", 11),
        article("stocks fall", 10),
        article("rugby match", 40),
      ], { models })).map((o) => o.id);

      await t.step("ingestion stores each article's vector; the nearest come first", async () => {
        const got = await similarArticles(db, ids[0], { days: 7, limit: 10 });
        assert.deepEqual(got!.map((s) => s.id), [ids[1], ids[2]]);
        assert.ok(got![0].score > got![1].score);
        assert.equal(got![0].title, "soccer cup");
      });

      await t.step("only articles within the period are candidates", async () => {
        const near = await similarArticles(db, ids[0], { days: 7, limit: 10 });
        assert.ok(!near!.some((s) => s.id === ids[3]));
        const wide = await similarArticles(db, ids[0], { days: 60, limit: 1 });
        assert.deepEqual(wide!.map((s) => s.id), [ids[1]]);
      });

      await t.step("an article stored without a vector has none: null", async () => {
        const [plain] = await ingestArticles(db, [article("no model", 10)]);
        assert.equal(await similarArticles(db, plain.id, { days: 7, limit: 10 }), null);
      });
    } finally {
      await close();
    }
  });
}

Deno.test("termOverlap() is the weighted Jaccard of two term counts", () => {
  assert.equal(termOverlap({ a: 2, b: 1 }, { a: 1, c: 1 }), 1 / 4);
  assert.equal(termOverlap({}, {}), 0);
  assert.equal(termOverlap({ a: 1 }, { a: 1 }), 1);
});
