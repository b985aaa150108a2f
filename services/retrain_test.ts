import assert from "node:assert/strict";
import { join } from "node:path";
import { activeModelVersion } from "../db/models.ts";
import { getRetrain, listRetrains } from "../db/retrains.ts";
import { claimNext, decide, shadowModelVersion } from "../db/review/mod.ts";
import { ok, registerTestModel, seedQueue } from "../db/review/test_helpers.ts";
import type { Db } from "../db/mod.ts";
import { testDatabases } from "../db/test_db.ts";
import { getRun } from "../db/training_runs.ts";
import { loadConfig } from "../lib/config.ts";
import { type Example } from "../ml/mod.ts";
import { toyCorpus } from "../ml/toy_corpus.ts";
import { type CandidateTrainer, createRetrainer } from "./retrain.ts";
import { inEvalSet } from "./retrain_data.ts";
import { TOY_TRAINING, trainToyModel } from "./test_model.ts";
import { trainModelDir } from "./training.ts";

/** A trainer that trains in-process on toy-sized hyperparameters, relabelling first if asked. */
function toyTrainer(
  modelDir: string,
  seen: Example[][],
  relabel?: (label: string) => string,
): CandidateTrainer {
  return async (examples, run) => {
    seen.push([...examples]);
    const data = relabel ? examples.map((e) => ({ ...e, label: relabel(e.label) })) : examples;
    return await trainModelDir(data, { ...TOY_TRAINING, name: run.name, seed: 1, modelDir });
  };
}

/** `n` reviewed articles, labelled by their toy topic's keywords. */
async function reviewArticles(db: Db, n: number, prefix: string): Promise<number[]> {
  const ids = await seedQueue(db, n, { prefix });
  const items = await claimNext(db, "ann", { limit: n, order: "oldest" });
  for (const item of items) {
    ok(await decide(db, "ann", item.id, { action: "label", label: "sport" }));
  }
  return ids;
}

const ROTATE: Record<string, string> = { sport: "markets", markets: "science", science: "sport" };

for (const { name, open } of testDatabases()) {
  Deno.test(`retrains (${name})`, async (t) => {
    const testDb = await open();
    const { db } = testDb;
    const modelDir = await Deno.makeTempDir({ prefix: "newsintel-retrain-" });
    const evalFile = join(modelDir, "eval.jsonl");
    // The evaluation file: fresh toy texts the active toy model gets right.
    await Deno.writeTextFile(
      evalFile,
      toyCorpus(60, 99).map((e) => JSON.stringify({ title: e.text, label: e.label })).join("\n"),
    );
    const base = toyCorpus(300, 7);
    const setup = async (env: Record<string, string> = {}) => {
      await testDb.reset();
      const active = await trainToyModel(db, modelDir);
      await registerTestModel(db);
      return {
        active: active.version,
        config: loadConfig({ MODEL_DIR: modelDir, RETRAIN_EVAL_FILE: evalFile, ...env }),
      };
    };
    try {
      await t.step("run() promotes a candidate within the gate of the active model", async () => {
        const { config } = await setup({ RETRAIN_GATE: "1" });
        const seen: Example[][] = [];
        const retrainer = createRetrainer({
          db,
          config,
          baseExamples: () => Promise.resolve(base),
          train: toyTrainer(modelDir, seen),
        });
        const r = await retrainer.run("api", "ops");
        assert.equal(r.kind, "finished");
        const done = r.kind === "finished" ? r.retrain : null;
        assert.equal(done?.status, "promoted", done?.error ?? "");
        assert.equal(await activeModelVersion(db), done?.candidateVersion);
        assert.equal(done?.evalSize, 60);
        assert.ok(done?.candidateScore !== null && done?.activeScore !== null);
        const run = await getRun(db, done!.trainingRunId!);
        assert.equal(run?.status, "succeeded");
        assert.equal(run?.modelVersion, done?.candidateVersion);
      });

      await t.step(
        "run() makes a worse candidate the shadow model, not the active one",
        async () => {
          const { active, config } = await setup();
          const retrainer = createRetrainer({
            db,
            config,
            baseExamples: () => Promise.resolve(base),
            train: toyTrainer(modelDir, [], (l) => ROTATE[l]),
          });
          const r = await retrainer.run("console", "ops");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "shadowed", done?.error ?? "");
          assert.ok(done!.candidateScore! < done!.activeScore!);
          assert.equal(done?.activeVersion, active);
          assert.equal(await activeModelVersion(db), active);
          assert.equal(await shadowModelVersion(db), done?.candidateVersion);
        },
      );

      await t.step("a failed training is recorded, and the next retrain may start", async () => {
        const { active, config } = await setup();
        const retrainer = createRetrainer({
          db,
          config,
          baseExamples: () => Promise.resolve(base),
          train: () => Promise.reject(new Error("out of memory while training")),
        });
        const r = await retrainer.run("api", "ops");
        const done = r.kind === "finished" ? r.retrain : null;
        assert.equal(done?.status, "failed");
        assert.match(done?.error ?? "", /out of memory/);
        assert.equal(done?.candidateVersion, null);
        assert.equal(await activeModelVersion(db), active);
        const [stored] = await listRetrains(db);
        assert.equal(stored.status, "failed");
        assert.ok(stored.finishedAt);
        assert.equal((await retrainer.run("api", "ops")).kind, "finished");
      });

      await t.step("a start while one runs is a conflict, on any retrainer", async () => {
        const { config } = await setup();
        let release = () => {};
        const gate = new Promise<void>((resolve) => release = resolve);
        const train = toyTrainer(modelDir, []);
        const first = createRetrainer({
          db,
          config,
          baseExamples: () => Promise.resolve(base),
          train: async (examples, run) => {
            await gate;
            return await train(examples, run);
          },
        });
        // Another replica: its own retrainer, the same database.
        const second = createRetrainer({ db, config, baseExamples: () => Promise.resolve(base) });
        const started = await first.start("api", "ops");
        assert.equal(started.kind, "started");
        const again = await second.start("console", "ops");
        assert.equal(again.kind, "conflict");
        assert.equal(
          again.kind === "conflict" ? again.running.id : 0,
          started.kind === "started" ? started.retrain.id : -1,
        );
        release();
        await first.idle();
        const id = started.kind === "started" ? started.retrain.id : 0;
        assert.notEqual((await getRetrain(db, id))?.status, "running");
      });

      await t.step("startIfDue() starts once RETRAIN_AFTER_LABELS new labels came in", async () => {
        const { config } = await setup({ RETRAIN_AFTER_LABELS: "3", RETRAIN_GATE: "1" });
        const retrainer = createRetrainer({
          db,
          config,
          baseExamples: () => Promise.resolve(base),
          train: toyTrainer(modelDir, []),
        });
        await reviewArticles(db, 2, "early");
        assert.equal(await retrainer.startIfDue(), null);
        await reviewArticles(db, 1, "third");
        const started = await retrainer.startIfDue();
        assert.equal(started?.kind, "started");
        assert.equal(started?.kind === "started" && started.retrain.trigger, "labels");
        await retrainer.idle();
        // Counted again from this retrain's start.
        assert.equal(await retrainer.startIfDue(), null);
        const off = createRetrainer({ db, config: loadConfig({ MODEL_DIR: modelDir }) });
        await reviewArticles(db, 5, "later");
        assert.equal(await off.startIfDue(), null, "RETRAIN_AFTER_LABELS unset: never");
      });

      await t.step("the evaluation set never reaches training", async () => {
        const { config } = await setup({ RETRAIN_EVAL_SHARE: "0.5", RETRAIN_GATE: "1" });
        const ids = await reviewArticles(db, 40, "rev");
        const seen: Example[][] = [];
        // The base data holds a copy of an evaluation file text: it must not be trained on.
        const evalText = toyCorpus(60, 99)[0].text;
        const retrainer = createRetrainer({
          db,
          config,
          baseExamples: () => Promise.resolve([...base, { text: evalText, label: "sport" }]),
          train: toyTrainer(modelDir, seen),
        });
        const r = await retrainer.run("cli", "cli");
        const done = r.kind === "finished" ? r.retrain : null;
        const texts = new Set(seen[0].map((e) => e.text));
        const held = ids.filter((_, i) => inEvalSet(ids[i], 0.5));
        assert.ok(held.length > 5 && held.length < 35, `${held.length} of 40 held out`);
        ids.forEach((id, i) => {
          const text = `rev title ${i} . rev body of article ${i}`;
          assert.equal(texts.has(text), !inEvalSet(id, 0.5), text);
        });
        assert.ok(!texts.has(evalText));
        assert.equal(done?.evalSize, 60 + held.length);
        assert.equal(done?.trainSize, base.length + 40 - held.length);
      });
    } finally {
      await testDb.close();
      await Deno.remove(modelDir, { recursive: true });
    }
  });
}

Deno.test("inEvalSet() is a stable share of article ids", () => {
  const ids = Array.from({ length: 2000 }, (_, i) => i + 1);
  const held = ids.filter((id) => inEvalSet(id, 0.2)).length;
  assert.ok(held > 300 && held < 500, `${held} of 2000`);
  assert.deepEqual(ids.map((id) => inEvalSet(id, 0.2)), ids.map((id) => inEvalSet(id, 0.2)));
  assert.equal(ids.some((id) => inEvalSet(id, 0)), false);
});
