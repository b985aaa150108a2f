/**
 * Three recorded training runs for route and page tests, written through `db/`
 * without training: two succeeded (different seeds and metrics) and one failed.
 */
import type { Db } from "../../../db/mod.ts";
import { registerModel } from "../../../db/models.ts";
import { failRun, finishRun, startRun } from "../../../db/training_runs.ts";

const LABELS = ["markets", "science", "sport"];

function report(accuracy: number, confusion: number[][], f1: number[]) {
  return {
    labels: LABELS,
    size: 30,
    accuracy,
    macroF1: f1.reduce((a, b) => a + b, 0) / f1.length,
    perClass: Object.fromEntries(
      LABELS.map((l, i) => [l, { precision: f1[i], recall: f1[i], f1: f1[i], support: 10 }]),
    ),
    confusion,
    ece: 0.05,
  };
}

const HYPER = { epochs: 8, learningRate: 0.5, buckets: 4096 };

/** Ids of the runs written: `a` and `b` succeeded, `failed` failed. */
export async function seedRuns(db: Db): Promise<{ a: number; b: number; failed: number }> {
  const runs = [
    {
      seed: 1,
      lr: 0.5,
      acc: 0.8,
      confusion: [[8, 1, 1], [2, 7, 1], [0, 1, 9]],
      f1: [0.8, 0.74, 0.86],
    },
    {
      seed: 2,
      lr: 0.25,
      acc: 0.9,
      confusion: [[9, 1, 0], [1, 9, 0], [0, 1, 9]],
      f1: [0.9, 0.86, 0.95],
    },
  ];
  const ids: number[] = [];
  for (const [i, r] of runs.entries()) {
    const id = await startRun(db, {
      name: "toy",
      seed: r.seed,
      folds: 3,
      reviewed: false,
      hyperparameters: { ...HYPER, learningRate: r.lr },
    });
    const version = `v${i + 1}`;
    await registerModel(db, {
      version,
      name: "toy",
      labels: LABELS,
      origin: "trained",
      location: version,
    });
    const oof = report(r.acc, r.confusion, r.f1);
    await finishRun(db, id, {
      modelVersion: version,
      data: { sha256: String(i).repeat(64), size: 300 + i },
      metrics: {
        size: 30,
        report: oof,
        eceBefore: 0.1,
        eceAfter: 0.04,
        nllBefore: 0.6,
        nllAfter: 0.5,
        folds: 3,
      },
      foldMetrics: [oof, oof, oof],
    });
    ids.push(id);
  }
  const failed = await startRun(db, {
    name: "toy",
    seed: 3,
    folds: 3,
    reviewed: true,
    hyperparameters: HYPER,
  });
  await failRun(db, failed, { error: "training needs at least two distinct labels <b>x</b>" });
  return { a: ids[0], b: ids[1], failed };
}
