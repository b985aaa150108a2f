import assert from "node:assert/strict";
import onnxProto from "onnx-proto";
import {
  denseVector,
  encodeWords,
  modelLogits,
  softmax,
  type TextClassifierModel,
} from "./model.ts";
import { exportOnnx, FLOAT16_MAX, quantizeRows } from "./onnx_export.ts";
import { toyVectorProvider, writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";

const { onnx } = onnxProto;
const { FLOAT, FLOAT16, INT8 } = onnx.TensorProto.DataType;

// The tables are stored as float16 (11 significant bits): each weight and norm entry is off
// by at most 2^-11 ≈ 4.9e-4 relative. A logit Σw / (‖g‖ t) then moves by at most
// 1.5 · 2^-11 · A, where A = Σ|w| / (‖g‖ t) (the sum of g² ≥ 0 errs by ≤ 2^-11 relative, its
// root by half that), and a probability by at most half the largest logit move. For the texts
// below A ≤ 2.5 (at t = 0.7, less at t = 5), so the worst case is ~9e-4 < 1e-3; in practice
// rounding errors cancel and the gap is ~3e-5 (2.3e-4 at most over all 10k AG News texts with
// the full-size model, 5e-7 with float32 tables). A bug (a norm not rescaled, a weight not
// clamped) moves probabilities by far more.
const FLOAT16_TOLERANCE = 1e-3;

const TEXTS = [["the", "goal", "strikers", "zzz"], ["shares", "profit"], ["nasa"]];

/** The graph's probabilities (softmax of its logits) for each text, one row per text. */
async function graphProbabilities(
  model: TextClassifierModel,
  texts: string[][],
): Promise<Float64Array[]> {
  const { InferenceSession, Tensor } = await import("onnxruntime-node");
  const session = await InferenceSession.create(exportOnnx(model));
  try {
    const encoded = texts.map((words) => encodeWords(model, words));
    const width = Math.max(...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(texts.length * width);
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((row, i) =>
      row.forEach((id, j) => ((ids[i * width + j] = BigInt(id)), (mask[i * width + j] = 1n)))
    );
    const out = await session.run({
      input_ids: new Tensor("int64", ids, [texts.length, width]),
      attention_mask: new Tensor("int64", mask, [texts.length, width]),
    });
    const logits = out.logits.data as Float32Array;
    const k = model.labels.length;
    return texts.map((_, i) => softmax(logits.subarray(i * k, (i + 1) * k)));
  } finally {
    await session.release();
  }
}

/** Asserts the graph gives modelLogits()' calibrated probabilities within fp16 rounding. */
async function assertMatchesModel(model: TextClassifierModel, texts: string[][]) {
  const got = await graphProbabilities(model, texts);
  texts.forEach((words, i) => {
    const expected = softmax(modelLogits(model, encodeWords(model, words)));
    expected.forEach((p, c) =>
      assert.ok(Math.abs(p - got[i][c]) < FLOAT16_TOLERANCE, `${words}: ${p} vs ${got[i][c]}`)
    );
  });
  return got;
}

function initializer(model: TextClassifierModel, name: string) {
  const graph = onnx.ModelProto.decode(exportOnnx(model)).graph!;
  return graph.initializer!.find((t) => t.name === name)!;
}

Deno.test("exportOnnx() declares opset 13, input_ids/attention_mask in and logits out", async () => {
  const model = await trainTextClassifier(toyCorpus(60), { buckets: 256, epochs: 2 });
  const decoded = onnx.ModelProto.decode(exportOnnx(model));
  assert.equal(Number(decoded.opsetImport![0].version), 13);
  const graph = decoded.graph!;
  assert.deepEqual(graph.input!.map((i) => i.name), ["input_ids", "attention_mask"]);
  assert.deepEqual(graph.output!.map((o) => o.name), ["logits"]);
  const dims = graph.output![0].type!.tensorType!.shape!.dim!;
  assert.equal(Number(dims[1].dimValue), model.labels.length);
  const weights = graph.initializer!.find((t) => t.name === "unigram_weights")!;
  assert.deepEqual(weights.dims!.map(Number), [model.vocabulary.length, model.labels.length]);
});

Deno.test("exportOnnx() stores the weight and norm tables as FLOAT16, the scalars as FLOAT", async () => {
  const model = await trainTextClassifier(toyCorpus(60), { buckets: 256, epochs: 2 });
  const graph = onnx.ModelProto.decode(exportOnnx(model)).graph!;
  const byName = new Map(graph.initializer!.map((t) => [t.name!, t]));
  for (const name of ["unigram_weights", "unigram_norm", "bigram_weights", "bigram_norm"]) {
    const tensor = byName.get(name)!;
    assert.equal(tensor.dataType, FLOAT16, name);
    const elements = tensor.dims!.reduce((n: number, d) => n * Number(d), 1);
    assert.equal(tensor.rawData!.length, 2 * elements, name);
  }
  for (const name of ["bias", "epsilon", "norm_scale"]) {
    assert.equal(byName.get(name)!.dataType, FLOAT);
  }
});

Deno.test("exportOnnx() graph gives modelLogits()' calibrated probabilities with a uniform mix", async () => {
  const trained = await trainTextClassifier(toyCorpus(90), { buckets: 256, epochs: 3 });
  const model = { ...trained, temperature: 0.7, uniformMix: 0.1 };
  const got = await assertMatchesModel(model, TEXTS);
  const k = model.labels.length;
  for (const p of got) assert.ok(Math.min(...p) >= 0.1 / k - 1e-6, "the uniform share bounds p");
});

for (const loss of ["squaredHinge", "softmax"] as const) {
  Deno.test(`exportOnnx() graph gives modelLogits()' calibrated probabilities, ${loss} loss`, async () => {
    const model = await trainTextClassifier(toyCorpus(90), { buckets: 256, epochs: 3, loss });
    assert.equal(model.hyperparameters.loss, loss);
    await assertMatchesModel(model, TEXTS);
  });
}

Deno.test("exportOnnx() rescales norm entries beyond the float16 range and keeps the scores", async () => {
  const trained = await trainTextClassifier(toyCorpus(90), { buckets: 256, epochs: 3 });
  // Norms × 1e4 and weights × 100 give the same normalised scores, with g² far above 65504;
  // a high temperature keeps the probabilities away from 0 and 1, where errors would not show.
  const model = {
    ...trained,
    temperature: 5,
    unigramWeights: trained.unigramWeights.map((w) => w * 100),
    unigramNorm: trained.unigramNorm.map((g2) => g2 * 1e4),
    bigramWeights: trained.bigramWeights.map((w) => w * 100),
    bigramNorm: trained.bigramNorm.map((g2) => g2 * 1e4),
  };
  assert.ok(Math.max(...model.unigramNorm) > 4 * FLOAT16_MAX);
  await assertMatchesModel(model, TEXTS);
});

Deno.test("exportOnnx() clamps weights beyond the float16 range to ±65504, not Infinity", async () => {
  const trained = await trainTextClassifier(toyCorpus(60), { buckets: 256, epochs: 2 });
  const k = trained.labels.length;
  const unigramWeights = trained.unigramWeights.slice();
  unigramWeights[2 * k] = 1e6;
  unigramWeights[2 * k + 1] = -1e6;
  const model = { ...trained, unigramWeights, temperature: 1, uniformMix: 0 };
  const raw = initializer(model, "unigram_weights").rawData!;
  const half = new Float16Array(new Uint8Array(raw).buffer); // raw may be a pooled Buffer view
  assert.equal(half[2 * k], FLOAT16_MAX);
  assert.equal(half[2 * k + 1], -FLOAT16_MAX);
  half.forEach((h, i) => {
    if (i === 2 * k || i === 2 * k + 1) return;
    const w = unigramWeights[i];
    assert.ok(Math.abs(h - w) <= Math.abs(w) * 2 ** -11, `${i}: ${h} vs ${w}`);
  });
  const [p] = await graphProbabilities(model, [[model.vocabulary[2]]]);
  assert.ok(p.every(Number.isFinite), `${p}`);
});

Deno.test("exportOnnx() of a model with word vectors outputs each text's vector and the same probabilities", async () => {
  const path = await writeToyVectorsFile();
  try {
    const model = await trainTextClassifier(toyCorpus(90), {
      buckets: 256,
      epochs: 3,
      vectors: toyVectorProvider(path),
    });
    assert.ok(model.dense, "the model has a dense block");
    assert.ok(model.vocabulary.includes("footballer"), "vector words join the vocabulary");
    const graph = onnx.ModelProto.decode(exportOnnx(model)).graph!;
    assert.deepEqual(graph.output!.map((o) => o.name), ["logits", "vectors"]);
    assert.equal(graph.initializer!.find((t) => t.name === "word_vectors")!.dataType, INT8);
    const texts = [...TEXTS, ["footballer", "stockbroker"], []];
    await assertMatchesModel(model, texts);
    const { InferenceSession, Tensor } = await import("onnxruntime-node");
    const session = await InferenceSession.create(exportOnnx(model));
    try {
      const ids = encodeWords(model, ["the", "goal", "footballer"]);
      const out = await session.run({
        input_ids: new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: new Tensor("int64", new BigInt64Array(ids.length).fill(1n), [
          1,
          ids.length,
        ]),
      });
      const got = out.vectors.data as Float32Array;
      const expected = denseVector(model, ids)!;
      assert.equal(got.length, 8);
      expected.forEach((x, j) => assert.ok(Math.abs(x - got[j]) < 1e-2, `${j}: ${x} vs ${got[j]}`));
    } finally {
      await session.release();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("quantizeRows() keeps each row within half a step and folds the row weight into the scale", () => {
  const vectors = Float32Array.of(1, -0.5, 0.25, 0, 0, 0);
  const { q, scale } = quantizeRows(vectors, Float32Array.of(2, 1), 3);
  assert.deepEqual([...q.subarray(0, 3)], [127, -63, 32]);
  assert.ok(Math.abs(scale[0] - 2 / 127) < 1e-9);
  assert.deepEqual([...q.subarray(3)], [0, 0, 0]);
  assert.equal(scale[1], 0);
});
