// Writes a trained model as an ONNX graph (opset 13) that onnxruntime runs behind the
// transformers.js text-classification pipeline. The graph recomputes model.ts's forward pass:
// unigram rows by Gather, bigram buckets from adjacent ids with Slice/Mul/Add/Mod, masked
// ReduceSum, division by the L2 norm, plus bias. The temperature is folded into the weights;
// with a uniform share the graph outputs log((1 - mix) * softmax + mix / k), so the pipeline's
// softmax yields the calibrated probabilities either way. Sub-word (character n-gram) weights
// are already folded into the token rows by the trainer. onnx-proto only encodes protobuf
// messages; no npm package builds graphs, hence the node list by hand.
//
// The four per-token/per-bucket tables are stored as float16, which halves the file and the
// memory onnxruntime holds; each Gather's rows are cast to float32 at once, so all arithmetic
// stays float32. A model with pretrained word vectors adds the dense block: int8 token vectors
// (per-row scales that carry each token's weight), their masked weighted sum, L2-normalised
// and output as `vectors`, times the block's weights, added to the logits. The g² norm entries reach ~2e5 on AG News, beyond fp16's 65504, so they are
// stored divided by a power of two and the summed norm is multiplied back (exactly).

import onnxProto from "onnx-proto";
import { NORM_EPSILON, type TextClassifierModel } from "./model.ts";

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT8 = onnx.TensorProto.DataType.INT8;
const INT64 = onnx.TensorProto.DataType.INT64;
const INT64_MAX = 9223372036854775807n;
/** Largest finite float16. */
export const FLOAT16_MAX = 65504;

function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  // rawData is little-endian; copy so a subarray view does not drag its whole buffer along.
  const bytes = new Uint8Array(data.byteLength);
  new Float32Array(bytes.buffer).set(data);
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: bytes });
}

/**
 * FLOAT16 tensor of `data[i] / divisor`, rounded to nearest from the double (no float32 step,
 * so no double rounding) and clamped to ±{@link FLOAT16_MAX}: an outsized weight saturates
 * instead of becoming Infinity (and NaN scores). Trained weights stay far below it (|w| / t
 * ≤ ~1e3 on AG News), so the clamp only guards against a degenerate model or temperature.
 */
function float16Tensor(
  name: string,
  dims: number[],
  data: Float32Array,
  options: { divisor?: number } = {},
): TensorProto {
  const divisor = options.divisor ?? 1;
  // A plain loop: Float16Array.from() with a mapping function is ~30x slower on 4M entries.
  const half = new Float16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    half[i] = Math.min(FLOAT16_MAX, Math.max(-FLOAT16_MAX, data[i] / divisor));
  }
  // rawData is little-endian, as is every platform Deno runs on.
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: FLOAT16,
    rawData: new Uint8Array(half.buffer),
  });
}

/**
 * Power of two by which the norm tables are divided so their largest entry is at most 2^15
 * (1 when they already fit). Norm entries span ~20 binades (0.15 to 1.8e5 on AG News), fp16's
 * normal range 30, so the small ones stay normal; a power of two keeps the rescale exact.
 */
function normScale(...tables: Float32Array[]): number {
  let max = 0;
  for (const table of tables) for (const x of table) max = Math.max(max, Math.abs(x));
  return max > 2 ** 15 ? 2 ** Math.ceil(Math.log2(max / 2 ** 15)) : 1;
}

function int8Tensor(name: string, dims: number[], data: Int8Array): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: INT8,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  });
}

/**
 * The token vectors quantized to int8 per row (x ≈ q * scale[id]), each row's scale also
 * carrying the token's weight in the mean: a Gather, a Cast and one Mul give the weighted
 * vectors, at a quarter of float32's size. Per-row scales keep each vector's error near
 * 0.4% of its largest component, far below what moves a normalised mean.
 */
export function quantizeRows(
  vectors: Float32Array,
  rowWeights: Float32Array,
  dim: number,
): { q: Int8Array; scale: Float32Array } {
  const rows = rowWeights.length;
  const q = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(vectors[r * dim + j]));
    if (max === 0 || rowWeights[r] === 0) continue;
    const step = max / 127;
    for (let j = 0; j < dim; j++) q[r * dim + j] = Math.round(vectors[r * dim + j] / step);
    scale[r] = step * rowWeights[r];
  }
  return { q, scale };
}

function int64Tensor(name: string, dims: number[], data: bigint[]): TensorProto {
  const bytes = new Uint8Array(data.length * 8);
  const view = new DataView(bytes.buffer);
  data.forEach((x, i) => view.setBigInt64(i * 8, x, true));
  return onnx.TensorProto.create({ name, dims, dataType: INT64, rawData: bytes });
}

function node(
  opType: string,
  input: string[],
  output: string,
  attrs: Record<string, number> = {},
): NodeProto {
  const attribute = Object.entries(attrs).map(([name, i]) =>
    onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT })
  );
  return onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

/** Returns `weights / temperature` as a new array. */
function scaled(weights: Float32Array, temperature: number): Float32Array {
  return weights.map((w) => w / temperature);
}

/**
 * Encodes the model as an ONNX `ModelProto` (opset 13) with inputs `input_ids` and
 * `attention_mask` (int64 [batch, sequence]) and output `logits` (float [batch, labels]);
 * a model with a dense block also outputs `vectors` (float [batch, dim]), each text's
 * normalised weighted mean of word vectors.
 * The logits are already divided by the model's temperature.
 */
export function exportOnnx(model: TextClassifierModel): Uint8Array {
  const k = model.labels.length;
  const v = model.vocabulary.length;
  const { buckets, hashMultiplier } = model.hyperparameters;
  const t = model.temperature;
  const mix = model.uniformMix ?? 0;
  const s = normScale(model.unigramNorm, model.bigramNorm);
  const initializer = [
    float16Tensor("unigram_weights", [v, k], model.unigramWeights, { divisor: t }),
    float16Tensor("unigram_norm", [v], model.unigramNorm, { divisor: s }),
    float16Tensor("bigram_weights", [buckets, k], model.bigramWeights, { divisor: t }),
    float16Tensor("bigram_norm", [buckets], model.bigramNorm, { divisor: s }),
    floatTensor("norm_scale", [], Float32Array.of(s)),
    floatTensor("bias", [k], scaled(model.bias, t)),
    floatTensor("epsilon", [], Float32Array.of(NORM_EPSILON)),
    int64Tensor("hash_multiplier", [], [BigInt(hashMultiplier)]),
    int64Tensor("buckets", [], [BigInt(buckets)]),
    int64Tensor("zero", [1], [0n]),
    int64Tensor("one", [1], [1n]),
    int64Tensor("minus_one", [1], [-1n]),
    int64Tensor("int64_max", [1], [INT64_MAX]),
    int64Tensor("axis_sequence", [1], [1n]),
    int64Tensor("axis_label", [1], [2n]),
  ];
  const nodes = [
    node("Cast", ["attention_mask"], "mask", { to: FLOAT }),
    node("Unsqueeze", ["mask", "axis_label"], "mask3"),
    // Unigrams: masked sum of weight rows, and of g² for the norm.
    node("Gather", ["unigram_weights", "input_ids"], "uni_rows_half"),
    node("Cast", ["uni_rows_half"], "uni_rows", { to: FLOAT }),
    node("Mul", ["uni_rows", "mask3"], "uni_masked"),
    node("ReduceSum", ["uni_masked", "axis_sequence"], "uni_sum", { keepdims: 0 }),
    node("Gather", ["unigram_norm", "input_ids"], "uni_g2_half"),
    node("Cast", ["uni_g2_half"], "uni_g2", { to: FLOAT }),
    node("Mul", ["uni_g2", "mask"], "uni_g2_masked"),
    // Bigrams: bucket = (left * multiplier + right) mod buckets, valid where both are unmasked.
    node("Slice", ["input_ids", "zero", "minus_one", "axis_sequence"], "left"),
    node("Slice", ["input_ids", "one", "int64_max", "axis_sequence"], "right"),
    node("Mul", ["left", "hash_multiplier"], "left_scaled"),
    node("Add", ["left_scaled", "right"], "pair"),
    node("Mod", ["pair", "buckets"], "bigram_ids"),
    node("Slice", ["mask", "zero", "minus_one", "axis_sequence"], "mask_left"),
    node("Slice", ["mask", "one", "int64_max", "axis_sequence"], "mask_right"),
    node("Mul", ["mask_left", "mask_right"], "bigram_mask"),
    node("Unsqueeze", ["bigram_mask", "axis_label"], "bigram_mask3"),
    node("Gather", ["bigram_weights", "bigram_ids"], "bi_rows_half"),
    node("Cast", ["bi_rows_half"], "bi_rows", { to: FLOAT }),
    node("Mul", ["bi_rows", "bigram_mask3"], "bi_masked"),
    node("ReduceSum", ["bi_masked", "axis_sequence"], "bi_sum", { keepdims: 0 }),
    node("Gather", ["bigram_norm", "bigram_ids"], "bi_g2_half"),
    node("Cast", ["bi_g2_half"], "bi_g2", { to: FLOAT }),
    node("Mul", ["bi_g2", "bigram_mask"], "bi_g2_masked"),
    // L2 norm of the weighted feature vector, then logits.
    node("Concat", ["uni_g2_masked", "bi_g2_masked"], "g2_all", { axis: 1 }),
    node("ReduceSum", ["g2_all", "axis_sequence"], "norm2_scaled", { keepdims: 1 }),
    node("Mul", ["norm2_scaled", "norm_scale"], "norm2"),
    node("Sqrt", ["norm2"], "norm_raw"),
    node("Max", ["norm_raw", "epsilon"], "norm"),
    node("Add", ["uni_sum", "bi_sum"], "sum"),
    node("Div", ["sum", "norm"], model.dense ? "sparse_scores" : "normalised"),
    node("Add", ["normalised", "bias"], mix > 0 ? "scores" : "logits"),
  ];
  if (model.dense) {
    const { dim } = model.dense;
    const { q, scale } = quantizeRows(model.dense.vectors, model.dense.tokenWeights, dim);
    initializer.push(
      int8Tensor("word_vectors", [v, dim], q),
      floatTensor("word_vector_scale", [v], scale),
      floatTensor("dense_weights", [dim, k], scaled(model.dense.weights, t)),
      int64Tensor("axis_vector", [1], [1n]),
    );
    // The dense block: the masked weighted sum of the tokens' vectors, L2-normalised (the
    // `vectors` output, what similarity and stories use), times its weights.
    nodes.splice(
      nodes.length - 1,
      0,
      node("Gather", ["word_vectors", "input_ids"], "vec_rows_q"),
      node("Cast", ["vec_rows_q"], "vec_rows", { to: FLOAT }),
      node("Gather", ["word_vector_scale", "input_ids"], "vec_scale"),
      node("Mul", ["vec_scale", "mask"], "vec_scale_masked"),
      node("Unsqueeze", ["vec_scale_masked", "axis_label"], "vec_scale3"),
      node("Mul", ["vec_rows", "vec_scale3"], "vec_weighted"),
      node("ReduceSum", ["vec_weighted", "axis_sequence"], "vec_sum", { keepdims: 0 }),
      node("Mul", ["vec_sum", "vec_sum"], "vec_sq"),
      node("ReduceSum", ["vec_sq", "axis_vector"], "vec_norm2", { keepdims: 1 }),
      node("Sqrt", ["vec_norm2"], "vec_norm_raw"),
      node("Max", ["vec_norm_raw", "epsilon"], "vec_norm"),
      node("Div", ["vec_sum", "vec_norm"], "vectors"),
      node("MatMul", ["vectors", "dense_weights"], "dense_scores"),
      node("Add", ["sparse_scores", "dense_scores"], "normalised"),
    );
  }
  if (mix > 0) {
    initializer.push(
      floatTensor("keep", [], Float32Array.of(1 - mix)),
      floatTensor("uniform", [], Float32Array.of(mix / k)),
    );
    nodes.push(
      node("Softmax", ["scores"], "probabilities", { axis: -1 }),
      node("Mul", ["probabilities", "keep"], "kept"),
      node("Add", ["kept", "uniform"], "mixed"),
      node("Log", ["mixed"], "logits"),
    );
  }
  const graph = onnx.GraphProto.create({
    name: "bag_of_ngrams_classifier",
    node: nodes,
    initializer,
    input: [
      valueInfo("input_ids", INT64, ["batch", "sequence"]),
      valueInfo("attention_mask", INT64, ["batch", "sequence"]),
    ],
    output: [
      valueInfo("logits", FLOAT, ["batch", k]),
      ...(model.dense ? [valueInfo("vectors", FLOAT, ["batch", model.dense.dim])] : []),
    ],
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "newsintel",
    producerVersion: "1",
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}
