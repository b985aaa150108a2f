import assert from "node:assert/strict";
import onnxProto from "onnx-proto";
import { encodeWords, modelLogits, softmax } from "./model.ts";
import { exportOnnx } from "./onnx_export.ts";
import { toyCorpus } from "./toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";

const { onnx } = onnxProto;

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

Deno.test("exportOnnx() graph gives modelLogits()' calibrated probabilities with a uniform mix", async () => {
  const { InferenceSession, Tensor } = await import("onnxruntime-node");
  const trained = await trainTextClassifier(toyCorpus(90), { buckets: 256, epochs: 3 });
  const model = { ...trained, temperature: 0.7, uniformMix: 0.1 };
  const session = await InferenceSession.create(exportOnnx(model));
  const texts = [["the", "goal", "strikers", "zzz"], ["shares", "profit"], ["nasa"]];
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
  encoded.forEach((row, i) => {
    const expected = softmax(modelLogits(model, row));
    const got = softmax(logits.subarray(i * k, (i + 1) * k));
    expected.forEach((p, c) =>
      assert.ok(Math.abs(p - got[c]) < 1e-5, `${texts[i]}: ${p} vs ${got[c]}`)
    );
    assert.ok(Math.min(...got) >= 0.1 / k - 1e-6, "the uniform share bounds every probability");
  });
  await session.release();
});
