// deno-lint-ignore-file no-console
// What MLflow tracking adds to a training run: trains one model with the default
// hyperparameters (the served model's size) on 2,000 AG News rows, then logs its run
// again and again to a file store and to a loopback tracking server (the tests' fake,
// written to the REST documentation), and reports the median time of each — bundling
// the model included — against the training time, with the bundle's size and the
// requests one run takes.
//
//   deno run --allow-all bench/mlflow.ts

import { join } from "node:path";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { getRun, recordMlflow } from "../db/training_runs.ts";
import { readDataset } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { bundleModel } from "../ml/bundle.ts";
import { mlflowTracking } from "../services/mlflow/mod.ts";
import { fakeMlflow } from "../testing/services/mlflow/test_server.ts";
import { trainAndRegister } from "../services/training.ts";

const DATA = join(import.meta.dirname!, "../data/agnews/train_10k.csv");
const ROWS = 2000;
const REPEATS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function main() {
  const examples = [];
  for await (const r of readDataset(DATA, "agnews-csv")) {
    examples.push({ text: articleText(r.title, r.body), label: r.label! });
    if (examples.length === ROWS) break;
  }
  const { db, close } = await pgliteTestDb();
  const dir = await Deno.makeTempDir({ prefix: "newsintel-bench-mlflow-" });
  const server = fakeMlflow();
  try {
    const modelDir = join(dir, "models");
    let t = performance.now();
    const manifest = await trainAndRegister(db, examples, { name: "bench", modelDir, seed: 1 });
    const trainingSeconds = (performance.now() - t) / 1000;
    console.error(`trained ${manifest.version} on ${ROWS} rows in ${trainingSeconds.toFixed(1)} s`);
    const bundleFile = join(dir, "bundle.tar.gz");
    await bundleModel(join(modelDir, manifest.version), bundleFile);
    const bundleBytes = (await Deno.stat(bundleFile)).size;

    const time = async (uri: string) => {
      const tracking = mlflowTracking({
        mlflowTrackingUri: uri,
        mlflowExperimentName: "bench",
      })!;
      const seconds: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        t = performance.now();
        await tracking.log(db, 1, modelDir);
        seconds.push((performance.now() - t) / 1000);
        const run = (await getRun(db, 1))!;
        if (run.mlflowError) throw new Error(run.mlflowError);
        await recordMlflow(db, 1, { runId: null, error: null });
      }
      return median(seconds);
    };
    const fileSeconds = await time(`file:${join(dir, "mlruns")}`);
    server.calls.length = 0;
    const restSeconds = await time(server.url);
    const requestsPerRun = server.calls.length / REPEATS;
    const result = {
      rows: ROWS,
      trainingSeconds,
      bundleBytes,
      fileStoreSeconds: fileSeconds,
      restSeconds,
      requestsPerRun,
      fileStoreShareOfTraining: fileSeconds / trainingSeconds,
      restShareOfTraining: restSeconds / trainingSeconds,
    };
    console.error(
      `file store ${fileSeconds.toFixed(3)} s, REST ${restSeconds.toFixed(3)} s ` +
        `(${requestsPerRun} requests) per run; bundle ${(bundleBytes / 1e6).toFixed(1)} MB`,
    );
    return result;
  } finally {
    await server.close();
    await close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await main(), null, 2));
