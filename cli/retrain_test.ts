/**
 * `newsintel retrain` as users run it, on an embedded database with an active toy model:
 * a retrain trained in a separate process and promoted, and a refusal while another runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { activateModel, activeModelVersion } from "../db/models.ts";
import { openDb } from "../db/mod.ts";
import { listRetrains, startRetrain } from "../db/retrains.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { trainAndRegister } from "../services/training.ts";
import { newsintel } from "../testing/cli/test_run.ts";

const jsonl = (examples: { text: string; label: string }[]) =>
  examples.map((e) => JSON.stringify({ title: e.text, label: e.label })).join("\n") + "\n";

Deno.test("newsintel retrain trains, scores and promotes; refuses while one runs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-retrain-cli-" });
  const env = {
    DB_URL: `pglite://${join(dir, "db")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
    RETRAIN_EVAL_FILE: join(dir, "eval.jsonl"),
    RETRAIN_MIN_EVAL: "40",
  };
  const base = join(dir, "base.jsonl");
  await Deno.writeTextFile(base, jsonl(toyCorpus(300, 7)));
  await Deno.writeTextFile(env.RETRAIN_EVAL_FILE, jsonl(toyCorpus(40, 99)));
  try {
    let db = await openDb(env.DB_URL);
    const first = await (async () => {
      try {
        await migrate(db);
        // An active model that takes half the science texts for markets: the retrain beats it.
        const corrupt = toyCorpus(300, 7).map((e, i) =>
          e.label === "science" && i % 2 === 0 ? { ...e, label: "markets" } : e
        );
        const manifest = await trainAndRegister(db, corrupt, {
          ...TOY_TRAINING,
          name: "toy",
          modelDir: env.MODEL_DIR,
        });
        await db.transaction((tx) =>
          activateModel(tx, { version: manifest.version, action: "promote", actor: "test" })
        );
        return manifest;
      } finally {
        await db.close();
      }
    })();

    await t.step("a retrain is trained in a separate process and promoted", async () => {
      const run = await newsintel(["retrain", base, "--json"], env);
      assert.equal(run.code, 0, run.stderr);
      const r = JSON.parse(run.stdout);
      assert.deepEqual([r.status, r.trigger, r.activeVersion, r.evalSize], [
        "promoted",
        "cli",
        first.version,
        40,
      ]);
      assert.equal(r.trainSize, 300);
      assert.ok(r.candidateScore >= r.activeScore + 0.005, `${r.candidateScore} ${r.activeScore}`);
      assert.equal(r.fixedEvalSize, 40);
      db = await openDb(env.DB_URL);
      try {
        assert.equal(await activeModelVersion(db), r.candidateVersion);
      } finally {
        await db.close();
      }
    });

    await t.step("while another retrain runs, it exits 1 and says which", async () => {
      // PGlite allows one process at a time: the row is written, then the database closed.
      db = await openDb(env.DB_URL);
      try {
        const started = await startRetrain(db, {
          trigger: "api",
          actor: "ops",
          activeVersion: null,
        });
        assert.equal(started.kind, "started");
      } finally {
        await db.close();
      }
      const run = await newsintel(["retrain", base], env);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /retrain \d+ is running/);
      db = await openDb(env.DB_URL);
      try {
        assert.equal((await listRetrains(db)).length, 2, "nothing recorded for the refusal");
      } finally {
        await db.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
