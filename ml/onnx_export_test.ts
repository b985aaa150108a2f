import assert from "node:assert/strict";
import onnxProto from "onnx-proto";
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
