// A model on disk: a directory in Hugging Face layout (config.json, tokenizer.json,
// tokenizer_config.json, onnx/model.onnx) that transformers.js loads as is, plus our
// manifest.json naming the model, its training data and metrics, and the sha256 of every file
// so a tampered or half-copied model is refused before it serves.

import { createHash } from "node:crypto";
import { isAbsolute, join, relative } from "node:path";
import { z } from "zod";
import type { DenseBlock, TextClassifierModel } from "./model.ts";
import { exportOnnx } from "./onnx_export.ts";
import { tokenizerConfig, tokenizerJson } from "./tokenizer.ts";

/** A model directory that is missing, incomplete, corrupt or tampered with. */
export class ModelDirError extends Error {
  /** The file or directory at fault. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = "ModelDirError";
    this.path = path;
  }
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** Schema of manifest.json. */
export const manifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  labels: z.array(z.string()).min(1),
  createdAt: z.string(),
  trainingData: z.object({ sha256: z.string(), size: z.number().int().nonnegative() }),
  hyperparameters: z.record(z.string(), z.unknown()),
  metrics: z.unknown(),
  files: z.record(z.string(), sha256Hex),
  /** Pretrained word vectors in the model (absent: none, or a model from before them). */
  vectors: z.object({
    source: z.string(),
    package: z.string(),
    version: z.string(),
    sha256: sha256Hex,
    dim: z.number().int().positive(),
    /** Tokens of the vocabulary that carry a vector. */
    words: z.number().int().nonnegative(),
    encoding: z.string(),
  }).optional(),
});

/** Contents of manifest.json. */
export type Manifest = z.infer<typeof manifestSchema>;

/** What the caller tells {@link writeModelDir} about the model. */
export interface ModelMeta {
  name: string;
  version: string;
  /** sha256 of the training data file (or of its canonical serialisation) and its row count. */
  trainingData: { sha256: string; size: number };
  /** Defaults to now. */
  createdAt?: Date;
}

/** Files every model directory must have, manifest or not. */
export const REQUIRED_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
];

/** Hex sha256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Writes `model` into `dir` (created if needed) in Hugging Face layout with a manifest, and
 * returns the manifest.
 */
export async function writeModelDir(
  dir: string,
  model: TextClassifierModel,
  meta: ModelMeta,
): Promise<Manifest> {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  model.labels.forEach((l, i) => ((id2label[String(i)] = l), (label2id[l] = i)));
  const config = {
    // transformers.js picks the model class from model_type; a BERT sequence classifier only
    // forwards the tokenizer's outputs to the graph and reads `logits`, which fits ours.
    architectures: ["BertForSequenceClassification"],
    model_type: "bert",
    problem_type: "single_label_classification",
    id2label,
    label2id,
    vocab_size: model.vocabulary.length,
    newsintel: {
      format: "bag-of-ngrams",
      buckets: model.hyperparameters.buckets,
      ...(model.dense ? { vectors: model.dense.dim } : {}),
    },
  };
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
  const files: Record<string, Uint8Array> = {
    "config.json": json(config),
    "tokenizer.json": new TextEncoder().encode(JSON.stringify(tokenizerJson(model.vocabulary))),
    "tokenizer_config.json": json(tokenizerConfig(model.hyperparameters.maxLength)),
    "onnx/model.onnx": exportOnnx(model),
  };
  await Deno.mkdir(join(dir, "onnx"), { recursive: true });
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of Object.entries(files)) {
    await Deno.writeFile(join(dir, path), bytes);
    hashes[path] = sha256(bytes);
  }
  const manifest: Manifest = {
    name: meta.name,
    version: meta.version,
    labels: [...model.labels],
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    trainingData: meta.trainingData,
    hyperparameters: { ...model.hyperparameters, temperature: model.temperature },
    metrics: model.validation ?? null,
    files: hashes,
    ...(model.dense ? { vectors: vectorsEntry(model.dense) } : {}),
  };
  await Deno.writeFile(join(dir, "manifest.json"), json(manifest));
  return manifest;
}

function vectorsEntry(dense: DenseBlock): NonNullable<Manifest["vectors"]> {
  let words = 0;
  for (const w of dense.tokenWeights) if (w !== 0) words++;
  return {
    source: "glove",
    package: dense.source.name,
    version: dense.source.version,
    sha256: dense.source.sha256,
    dim: dense.dim,
    words,
    encoding: "int8",
  };
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Throws a {@link ModelDirError} unless `dir` is a directory holding the {@link REQUIRED_FILES}. */
export async function checkModelFiles(dir: string): Promise<void> {
  const info = await statOrNull(dir);
  if (!info) throw new ModelDirError(dir, `Model directory ${dir} does not exist.`);
  if (!info.isDirectory) throw new ModelDirError(dir, `Model path ${dir} is not a directory.`);
  for (const file of REQUIRED_FILES) {
    const path = join(dir, file);
    if (!(await statOrNull(path))?.isFile) {
      throw new ModelDirError(path, `Model directory ${dir} has no ${file}.`);
    }
  }
}

/** True when `dir` has a manifest.json (a model we trained rather than a plain Hugging Face one). */
export async function hasManifest(dir: string): Promise<boolean> {
  return (await statOrNull(join(dir, "manifest.json"))) !== null;
}

/**
 * Checks a model directory against its manifest: the directory and manifest exist, the
 * manifest is valid, every listed file exists and matches its sha256, and the Hugging Face
 * files are all listed. Returns the manifest or throws a {@link ModelDirError}.
 */
export async function verifyModelDir(dir: string): Promise<Manifest> {
  const info = await statOrNull(dir);
  if (!info) throw new ModelDirError(dir, `Model directory ${dir} does not exist.`);
  if (!info.isDirectory) throw new ModelDirError(dir, `Model path ${dir} is not a directory.`);
  const manifestPath = join(dir, "manifest.json");
  let text: string;
  try {
    text = await Deno.readTextFile(manifestPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ModelDirError(manifestPath, `Model directory ${dir} has no manifest.json.`);
    }
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelDirError(
      manifestPath,
      `${manifestPath} is not valid JSON: ${(e as Error).message}`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ModelDirError(
      manifestPath,
      `${manifestPath} is not a valid manifest: ${issues.join("; ")}`,
    );
  }
  const manifest = parsed.data;
  for (const file of REQUIRED_FILES) {
    if (!(file in manifest.files)) {
      throw new ModelDirError(manifestPath, `${manifestPath} does not list ${file}.`);
    }
  }
  for (const [file, expected] of Object.entries(manifest.files)) {
    const path = join(dir, file);
    const rel = relative(dir, path);
    if (rel.startsWith("..") || isAbsolute(rel) || isAbsolute(file)) {
      throw new ModelDirError(
        manifestPath,
        `${manifestPath} lists a file outside the model: ${file}`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ModelDirError(
          path,
          `Model directory ${dir} has no ${file} (listed in its manifest).`,
        );
      }
      throw e;
    }
    if (sha256(bytes) !== expected) {
      throw new ModelDirError(
        path,
        `In model directory ${dir}, file ${file} does not match its manifest (sha256).`,
      );
    }
  }
  return manifest;
}
