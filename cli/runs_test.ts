/**
 * `newsintel runs list|show|compare` as users run them, on an embedded database
 * holding two toy training runs and a failed one, and `train` leaving a failed
 * run when its data holds no labelled rows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { openDb } from "../db/mod.ts";
import { trainToyModel } from "../testing/services/test_model.ts";
import { trainAndRegister } from "../services/training.ts";
import { TOY_TRAINING } from "../testing/services/test_model.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel runs lists, shows and compares training runs", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-runs-" });
  const env = {
    DB_URL: `pglite://${join(dir, "db")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
  };
  try {
    const db = await openDb(env.DB_URL);
    const versions: string[] = [];
    try {
      await migrate(db);
      versions.push((await trainToyModel(db, env.MODEL_DIR, { seed: 1, activate: false })).version);
      versions.push((await trainToyModel(db, env.MODEL_DIR, { seed: 2, activate: false })).version);
      await assert.rejects(
        trainAndRegister(db, [], { ...TOY_TRAINING, name: "toy", modelDir: env.MODEL_DIR }),
      );
    } finally {
      await db.close();
    }

    await t.step("list shows every run newest first, a failed one with its error", async () => {
      const run = await newsintel(["runs", "list"], env);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split("\n");
      assert.match(lines[0], /^id\s+status\s+started/);
      assert.match(lines[1], /^3\s+failed\s.*error: no labelled examples in the given data$/);
      assert.match(
        lines[2],
        new RegExp(`^2\\s+succeeded\\s.*toy\\s+\\S+\\s+300\\s.*${versions[1]}$`),
      );
      assert.match(lines[3], new RegExp(`^1\\s+succeeded\\s.*${versions[0]}$`));

      const json = await newsintel(["runs", "list", "--json", "--limit", "2"], env);
      assert.equal(json.code, 0, json.stderr);
      const list = JSON.parse(json.stdout);
      assert.deepEqual(list.map((r: { id: number }) => r.id), [3, 2]);
      assert.equal(list[1].modelVersion, versions[1]);
      assert.ok(list[1].accuracy > 0.5);
    });

    await t.step("show prints parameters, data, each fold and the out-of-fold report", async () => {
      const run = await newsintel(["runs", "show", "2"], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^training run 2: succeeded$/m);
      assert.match(run.stdout, /^ {2}data {6}300 examples, sha256 [0-9a-f]{64}$/m);
      assert.match(run.stdout, /^ {2}seed 2$/m);
      assert.match(run.stdout, /hyperparameters .*buckets=4096/);
      assert.match(run.stdout, /^per fold/m);
      assert.match(run.stdout, /^3\s+100\s+\d+\.\d+%/m);
      assert.match(run.stdout, /^out of fold \(3 folds, 300 rows/m);
      assert.match(run.stdout, /^label\s+precision\s+recall\s+f1/m);
      assert.match(run.stdout, /^gold \\ predicted/m);

      const json = JSON.parse((await newsintel(["runs", "show", "3", "--json"], env)).stdout);
      assert.equal(json.status, "failed");
      assert.equal(json.error, "no labelled examples in the given data");
      assert.equal(json.modelVersion, null);
    });

    await t.step("compare prints both runs' metrics with the differences", async () => {
      const run = await newsintel(["runs", "compare", "1", "2"], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^accuracy\s+\d+\.\d+%\s+\d+\.\d+%\s+[+-]?\d+\.\d+ pt$/m);
      assert.match(run.stdout, /^per-class F1:$/m);
      assert.match(run.stdout, /^sport\s+\d+\.\d+%/m);
      assert.match(run.stdout, /^confusion difference \(#2 − #1/m);
      assert.match(run.stdout, /^ {2}seed: 1 → 2$/m);

      const json = JSON.parse(
        (await newsintel(["runs", "compare", "1", "2", "--json"], env)).stdout,
      );
      assert.deepEqual(json.confusion.labels, ["markets", "science", "sport"]);
      // Same data, so each gold row moves predictions around without changing its total.
      for (const row of json.confusion.diff) {
        assert.equal(row.reduce((a: number, b: number) => a + b, 0), 0);
      }
      const accuracy = json.metrics.find((m: { metric: string }) => m.metric === "accuracy");
      assert.ok(Math.abs(accuracy.diff - (accuracy.b - accuracy.a)) < 1e-12);

      const failed = await newsintel(["runs", "compare", "1", "3"], env);
      assert.equal(failed.code, 0, failed.stderr);
      assert.match(failed.stdout, /^accuracy\s+\d+\.\d+%\s+-\s+-$/m);
    });

    await t.step("an unknown or malformed id exits non-zero with one line saying why", async () => {
      for (
        const [args, reason] of [
          [["runs", "show", "42"], /^newsintel: no training run 42 \(see: newsintel runs list\)$/],
          [["runs", "compare", "1", "42"], /^newsintel: no training run 42 /],
          [["runs", "show", "abc"], /ID takes a whole number/],
          [["runs", "list", "--limit", "0"], /--limit takes a whole number from 1/],
        ] as const
      ) {
        const run = await newsintel([...args], env);
        assert.notEqual(run.code, 0, args.join(" "));
        assert.equal(run.stdout, "");
        assert.match(run.stderr.trim().split("\n")[0], reason);
      }
    });

    await t.step("train records a failed run when its data has no labelled rows", async () => {
      const data = join(dir, "unlabelled.jsonl");
      await Deno.writeTextFile(data, JSON.stringify({ text: "no label here" }) + "\n");
      const run = await newsintel(["train", data], env);
      assert.equal(run.code, 1);
      assert.equal(run.stderr.trim(), "newsintel: no labelled examples in the given data");
      const [last] = JSON.parse((await newsintel(["runs", "list", "--json"], env)).stdout);
      assert.equal(last.id, 4);
      assert.equal(last.status, "failed");
      const shown = JSON.parse((await newsintel(["runs", "show", "4", "--json"], env)).stdout);
      assert.deepEqual(shown.parameters.sources, [data]);
      assert.equal(shown.parameters.reviewed, true);
      assert.equal(shown.data.size, 0);
    });

    await t.step("with MLFLOW_TRACKING_URI, train logs the run and show names it", async () => {
      const data = join(dir, "unlabelled.jsonl");
      const mlruns = join(dir, "mlruns");
      const run = await newsintel(["train", data], {
        ...env,
        MLFLOW_TRACKING_URI: `file:${mlruns}`,
      });
      assert.equal(run.code, 1, "the run failed; logging it did not change that");
      const shown = await newsintel(["runs", "show", "5"], env);
      const [, mlflowRunId] = /^ {2}mlflow {4}([0-9a-f]{32})$/m.exec(shown.stdout) ?? [];
      assert.ok(mlflowRunId, shown.stdout);
      const [experiment] = [...Deno.readDirSync(mlruns)].map((e) => e.name)
        .filter((n) => n !== "0" && n !== ".trash");
      const meta = await Deno.readTextFile(join(mlruns, experiment, mlflowRunId, "meta.yaml"));
      assert.match(meta, /^status: 4$/m, "FAILED");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
