import assert from "node:assert/strict";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import { selectionScore, TIE } from "./search.ts";
import { defaultBuckets, trainTextClassifier } from "./train.ts";

const SMALL = { buckets: 4096, subwordBuckets: 4096, epochs: 4 };

/** A skewed toy set: 150 rows of one topic, 20 of each other, some of them mislabelled. */
function skewed() {
  const rows = toyCorpus(600, 5);
  const keep = { [TOY_LABELS[0]]: 150, [TOY_LABELS[1]]: 20, [TOY_LABELS[2]]: 20 };
  return rows.filter((e) => keep[e.label]-- > 0);
}

Deno.test("trainTextClassifier() with search records its trials and ships the chosen hyperparameters", async () => {
  const data = skewed();
  const a = await trainTextClassifier(data, { ...SMALL, seed: 4, search: true, searchTrials: 3 });
  const search = a.validation!.search!;
  assert.equal(search.metric, "macroF1+accuracy");
  assert.equal(search.trials.length, 3);
  assert.equal(search.rows, Math.ceil(data.length / 3), "scored on the first fold");
  assert.equal(a.hyperparameters.logitAdjustment, search.tau, "the final tau is the model's");
  const chosen = search.trials[search.chosen];
  for (const [key, value] of Object.entries(chosen.hyperparameters)) {
    // The prior correction is chosen again on all out-of-fold rows.
    if (key === "logitAdjustment") continue;
    assert.equal(a.hyperparameters[key as keyof typeof a.hyperparameters], value, key);
  }
  assert.ok(search.trials.every((t) => selectionScore(chosen) >= selectionScore(t) - TIE));
  const b = await trainTextClassifier(data, { ...SMALL, seed: 4, search: true, searchTrials: 3 });
  assert.deepEqual(b.validation!.search, search, "deterministic for a seed");
  assert.deepEqual(b.unigramWeights, a.unigramWeights);
});

Deno.test("trainTextClassifier() ships the prior correction chosen on all out-of-fold rows", async () => {
  // Seed 6: the first fold alone prefers tau 0.4, all out-of-fold rows 0.75.
  const model = await trainTextClassifier(skewed(), {
    ...SMALL,
    seed: 6,
    search: true,
    searchTrials: 3,
  });
  const search = model.validation!.search!;
  assert.notEqual(search.trials[search.chosen].hyperparameters.logitAdjustment, search.tau);
  assert.equal(model.hyperparameters.logitAdjustment, search.tau);
});

Deno.test("trainTextClassifier() leaves hyperparameters the caller fixed out of the search", async () => {
  const model = await trainTextClassifier(skewed(), {
    ...SMALL,
    search: true,
    classWeightPower: 0,
    searchTrials: 2,
  });
  assert.ok(
    model.validation!.search!.trials.every((t) => t.hyperparameters.classWeightPower === 0),
  );
});

Deno.test("trainTextClassifier() folds the prior correction into the bias", async () => {
  const data = skewed();
  const plain = await trainTextClassifier(data, { ...SMALL, validationFraction: 0 });
  const adjusted = await trainTextClassifier(data, {
    ...SMALL,
    validationFraction: 0,
    logitAdjustment: 1,
  });
  const counts = TOY_LABELS.map((l) => data.filter((e) => e.label === l).length);
  for (let c = 0; c < 3; c++) {
    const expected = plain.bias[c] - Math.log(counts[c] / data.length);
    assert.ok(Math.abs(adjusted.bias[c] - expected) < 1e-5);
  }
});

Deno.test("trainTextClassifier() with clean drops the rows flagged as mislabelled and says how many", async () => {
  const data = toyCorpus(240, 8).map((e, i) =>
    i % 12 === 0 ? { ...e, label: TOY_LABELS[(TOY_LABELS.indexOf(e.label) + 1) % 3] } : e
  );
  const model = await trainTextClassifier(data, { ...SMALL, clean: "drop" });
  const clean = model.validation!.clean!;
  assert.equal(clean.mode, "drop");
  assert.ok(clean.rows >= 10 && clean.rows <= 60, `${clean.rows} rows flagged of 20 flipped`);
  assert.equal(model.validation!.size, data.length, "every row is still scored out of fold");
});

Deno.test("defaultBuckets() keeps 2^20 up to 4 labels and shrinks the tables beyond", () => {
  assert.equal(defaultBuckets(2), 1 << 20);
  assert.equal(defaultBuckets(4), 1 << 20);
  assert.equal(defaultBuckets(29), 1 << 17);
  assert.equal(defaultBuckets(100_000), 1 << 14);
});
