import assert from "node:assert/strict";
import { join } from "node:path";
import { activateModel, activeModelVersion } from "../db/models.ts";
import { getRetrain, listRetrains } from "../db/retrains.ts";
import { claimNext, decide, shadowModelVersion } from "../db/review/mod.ts";
import { ok, QUEUE_ALL, registerTestModel, seedQueue } from "../testing/db/review/test_helpers.ts";
import type { Db } from "../db/mod.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { getRun } from "../db/training_runs.ts";
import { loadConfig } from "../lib/config.ts";
import { type Example } from "../ml/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { type CandidateTrainer, createRetrainer } from "./retrain.ts";
import { inEvalSet } from "./retrain_data.ts";
import { TOY_TRAINING, trainToyModel } from "../testing/services/test_model.ts";
import { trainAndRegister, trainModelDir } from "./training.ts";

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

/**
 * `n` reviewed articles, each decided by every one of `reviewers` (the overlap the queue
 * asks for) with `label(i)`; titled `title(i)` when given. Returns the article ids.
 */
async function reviewArticles(
  db: Db,
  n: number,
  prefix: string,
  options: {
    reviewers?: string[];
    label?: (i: number) => string;
    title?: (i: number) => string;
  } = {},
): Promise<number[]> {
  const reviewers = options.reviewers ?? ["ann"];
  const ids = await seedQueue(db, n, {
    prefix,
    title: options.title,
    policy: { ...QUEUE_ALL, overlap: reviewers.length },
  });
  for (const reviewer of reviewers) {
    const items = await claimNext(db, reviewer, { limit: n, order: "oldest" });
    for (const item of items) {
      const label = options.label?.(ids.indexOf(item.articleId)) ?? "sport";
      ok(await decide(db, reviewer, item.id, { action: "label", label }));
    }
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
    // The fixed evaluation file: fresh toy texts the active toy model gets right.
    await Deno.writeTextFile(
      evalFile,
      toyCorpus(60, 99).map((e) => JSON.stringify({ title: e.text, label: e.label })).join("\n"),
    );
    const base = toyCorpus(300, 7);
    /** A fresh database with an active toy model (one that mistakes half of science when `weak`). */
    const setup = async (env: Record<string, string> = {}, { weak = false } = {}) => {
      await testDb.reset();
      let active: string;
      if (weak) {
        const corrupt = base.map((e, i) =>
          e.label === "science" && i % 2 === 0 ? { ...e, label: "markets" } : e
        );
        const manifest = await trainAndRegister(db, corrupt, {
          ...TOY_TRAINING,
          seed: 1,
          name: "toy",
          modelDir,
        });
        await db.transaction((tx) =>
          activateModel(tx, { version: manifest.version, action: "promote", actor: "test" })
        );
        active = manifest.version;
      } else {
        active = (await trainToyModel(db, modelDir)).version;
      }
      await registerTestModel(db);
      return {
        active,
        config: loadConfig({
          MODEL_DIR: modelDir,
          RETRAIN_EVAL_FILE: evalFile,
          RETRAIN_MIN_EVAL: "50",
          ...env,
        }),
      };
    };
    const retrainerFor = (
      config: ReturnType<typeof loadConfig>,
      train: CandidateTrainer = toyTrainer(modelDir, []),
    ) => createRetrainer({ db, config, baseExamples: () => Promise.resolve(base), train });
    try {
      await t.step(
        "run() promotes a candidate better by the margin, and logs it to MLflow",
        async () => {
          const mlruns = join(modelDir, "mlruns");
          const { active, config } = await setup({ MLFLOW_TRACKING_URI: `file:${mlruns}` }, {
            weak: true,
          });
          const r = await retrainerFor(config).run("api", "ops");
          assert.equal(r.kind, "finished");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "promoted", done?.error ?? done?.reason ?? "");
          assert.equal(await activeModelVersion(db), done?.candidateVersion);
          assert.equal(done?.activeVersion, active);
          assert.equal(done?.evalSize, 60);
          assert.equal(done?.fixedEvalSize, 60);
          assert.equal(done?.agreedEvalSize, 0);
          assert.ok(done!.candidateScore! >= done!.activeScore! + 0.005);
          assert.ok(done!.fixedCandidateScore! > done!.fixedActiveScore!);
          assert.match(done?.reason ?? "", /better than the active model by/);
          const run = await getRun(db, done!.trainingRunId!);
          assert.equal(run?.status, "succeeded");
          assert.equal(run?.modelVersion, done?.candidateVersion);
          // Logged like a training run, with the gate's scores and verdict.
          assert.match(run?.mlflowRunId ?? "", /^[0-9a-f]{32}$/, run?.mlflowError ?? "");
          const [experiment] = [...Deno.readDirSync(mlruns)].map((e) => e.name)
            .filter((n) => n !== "0" && n !== ".trash");
          const runDir = join(mlruns, experiment, run!.mlflowRunId!);
          const tag = (k: string) => Deno.readTextFile(join(runDir, "tags", k));
          assert.equal(await tag("newsintel.retrain_status"), "promoted");
          assert.equal(await tag("newsintel.retrain_id"), String(done!.id));
          const metric = await Deno.readTextFile(
            join(runDir, "metrics", "retrain.candidate_fixed_macro_f1"),
          );
          assert.equal(Number(metric.trim().split(" ")[1]), done!.fixedCandidateScore);
        },
      );

      await t.step(
        "run() keeps the active model on a tie: the candidate is the shadow",
        async () => {
          const { active, config } = await setup();
          // The same data and seed as the active model: the same scores.
          const r = await retrainerFor(config).run("api", "ops");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "shadowed", done?.error ?? "");
          assert.match(done?.reason ?? "", /RETRAIN_MARGIN/);
          assert.equal(await activeModelVersion(db), active);
          assert.equal(await shadowModelVersion(db), done?.candidateVersion);
        },
      );

      await t.step(
        "run() makes a worse candidate the shadow model, not the active one",
        async () => {
          const { active, config } = await setup();
          const r = await retrainerFor(config, toyTrainer(modelDir, [], (l) => ROTATE[l]))
            .run("console", "ops");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "shadowed", done?.error ?? "");
          assert.ok(done!.candidateScore! < done!.activeScore!);
          assert.equal(done?.activeVersion, active);
          assert.equal(await activeModelVersion(db), active);
          assert.equal(await shadowModelVersion(db), done?.candidateVersion);
        },
      );

      await t.step(
        "one reviewer relabelling many sport articles as markets cannot get the result promoted",
        async () => {
          // No margin asked for: only the fixed file and the agreement rule stand in the way.
          const { active, config } = await setup({
            RETRAIN_MARGIN: "0",
            RETRAIN_EVAL_SHARE: "0.5",
          });
          const sport = toyCorpus(300, 11).filter((e) => e.label === "sport").map((e) => e.text);
          const seen: Example[][] = [];
          await reviewArticles(db, sport.length, "flip", {
            reviewers: ["mallory"],
            label: () => "markets",
            title: (i) => sport[i],
          });
          const r = await retrainerFor(config, toyTrainer(modelDir, seen)).run("api", "mallory");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "shadowed", done?.error ?? "");
          // The flipped labels were trained on, all of them, and judged by none.
          assert.equal(seen[0].filter((e) => e.label === "markets").length, 100 + sport.length);
          assert.equal(done?.agreedEvalSize, 0);
          assert.equal(done?.evalSize, 60);
          assert.match(
            done?.reason ?? "",
            /worse than the active model on the fixed evaluation file/,
          );
          assert.ok(done!.fixedCandidateScore! < done!.fixedActiveScore! - 0.01);
          assert.equal(await activeModelVersion(db), active);
        },
      );

      await t.step(
        "run() leaves too small an evaluation set's candidate as the shadow",
        async () => {
          const { active, config } = await setup({ RETRAIN_MIN_EVAL: "61" }, { weak: true });
          const r = await retrainerFor(config).run("api", "ops");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "shadowed");
          assert.match(done?.reason ?? "", /60 examples, fewer than RETRAIN_MIN_EVAL \(61\)/);
          assert.equal(await activeModelVersion(db), active);
        },
      );

      await t.step("a failed training is recorded, and the next retrain may start", async () => {
        const { active, config } = await setup();
        const retrainer = retrainerFor(
          config,
          () => Promise.reject(new Error("out of memory while training")),
        );
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

      await t.step(
        "a missing fixed evaluation file fails the retrain before training",
        async () => {
          const { active, config } = await setup({
            RETRAIN_EVAL_FILE: join(modelDir, "none.jsonl"),
          });
          const seen: Example[][] = [];
          const r = await retrainerFor(config, toyTrainer(modelDir, seen)).run("api", "ops");
          const done = r.kind === "finished" ? r.retrain : null;
          assert.equal(done?.status, "failed");
          assert.match(done?.error ?? "", /none\.jsonl/);
          assert.equal(seen.length, 0);
          assert.equal(await activeModelVersion(db), active);
        },
      );

      await t.step("a start while one runs is a conflict, on any retrainer", async () => {
        const { config } = await setup();
        let release = () => {};
        const gate = new Promise<void>((resolve) => release = resolve);
        const train = toyTrainer(modelDir, []);
        const first = retrainerFor(config, async (examples, run) => {
          await gate;
          return await train(examples, run);
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

      await t.step(
        "startIfDue() starts once RETRAIN_AFTER_LABELS new labels came in, and never promotes",
        async () => {
          const { active, config } = await setup({ RETRAIN_AFTER_LABELS: "3" }, { weak: true });
          const retrainer = retrainerFor(config);
          await reviewArticles(db, 2, "early");
          assert.equal(await retrainer.startIfDue(), null);
          await reviewArticles(db, 1, "third");
          const started = await retrainer.startIfDue();
          assert.equal(started?.kind, "started");
          assert.equal(started?.kind === "started" && started.retrain.trigger, "labels");
          await retrainer.idle();
          const id = started?.kind === "started" ? started.retrain.id : 0;
          const done = await getRetrain(db, id);
          // Good enough to promote, but no admin asked for it.
          assert.equal(done?.status, "shadowed", done?.error ?? "");
          assert.match(done?.reason ?? "", /better than the active model.*RETRAIN_AUTO_PROMOTE/);
          assert.equal(await activeModelVersion(db), active);
          assert.equal(await shadowModelVersion(db), done?.candidateVersion);
          // Counted again from this retrain's start.
          assert.equal(await retrainer.startIfDue(), null);
          const off = createRetrainer({ db, config: loadConfig({ MODEL_DIR: modelDir }) });
          await reviewArticles(db, 5, "later");
          assert.equal(await off.startIfDue(), null, "RETRAIN_AFTER_LABELS unset: never");
        },
      );

      await t.step(
        "RETRAIN_AUTO_PROMOTE=true lets a retrain started by labels promote",
        async () => {
          const { config } = await setup(
            { RETRAIN_AFTER_LABELS: "1", RETRAIN_AUTO_PROMOTE: "true" },
            { weak: true },
          );
          const retrainer = retrainerFor(config);
          await reviewArticles(db, 1, "one");
          const started = await retrainer.startIfDue();
          await retrainer.idle();
          const done = await getRetrain(db, started?.kind === "started" ? started.retrain.id : 0);
          assert.equal(done?.status, "promoted", done?.error ?? done?.reason ?? "");
          assert.equal(await activeModelVersion(db), done?.candidateVersion);
        },
      );

      await t.step(
        "only labels two reviewers agreed on are judged by; the evaluation set never reaches training",
        async () => {
          const { config } = await setup({ RETRAIN_EVAL_SHARE: "0.5" });
          const agreed = await reviewArticles(db, 40, "rev", { reviewers: ["ann", "bob"] });
          const alone = await reviewArticles(db, 20, "solo", { reviewers: ["ann"] });
          const seen: Example[][] = [];
          // The base data holds a copy of an evaluation file text: it must not be trained on.
          const evalText = articleText(toyCorpus(60, 99)[0].text, "");
          const retrainer = createRetrainer({
            db,
            config,
            baseExamples: () => Promise.resolve([...base, { text: evalText, label: "sport" }]),
            train: toyTrainer(modelDir, seen),
          });
          const r = await retrainer.run("cli", "cli");
          const done = r.kind === "finished" ? r.retrain : null;
          const texts = new Set(seen[0].map((e) => e.text));
          const held = agreed.filter((id) => inEvalSet(id, 0.5));
          assert.ok(held.length > 5 && held.length < 35, `${held.length} of 40 held out`);
          agreed.forEach((id, i) => {
            const text = articleText(`rev title ${i}`, `rev body of article ${i}`);
            assert.equal(texts.has(text), !inEvalSet(id, 0.5), text);
          });
          // One reviewer's labels are trained on, whatever share their ids fall in.
          assert.ok(alone.some((id) => inEvalSet(id, 0.5)));
          alone.forEach((_, i) =>
            assert.ok(texts.has(articleText(`solo title ${i}`, `solo body of article ${i}`)))
          );
          assert.ok(!texts.has(evalText));
          assert.equal(done?.evalSize, 60 + held.length);
          assert.equal(done?.agreedEvalSize, held.length);
          assert.equal(done?.trainSize, base.length + 60 - held.length);
        },
      );
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
