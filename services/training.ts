/**
 * Training orchestration shared by `newsintel train` and first start: read
 * labelled data, train, write the model directory atomically, register it.
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import type { Db } from "../db/mod.ts";
import { registerModel } from "../db/models.ts";
import { selfCommand } from "../lib/self_command.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import {
  type Example,
  type Manifest,
  type TrainOptions,
  trainTextClassifier,
  writeModelDir,
} from "../ml/mod.ts";
import { articleText } from "../ml/article_text.ts";

/** Labelled examples from data set records (records without a label are skipped). */
export async function examplesFrom(records: AsyncIterable<DatasetRecord>): Promise<Example[]> {
  const examples: Example[] = [];
  for await (const r of records) {
    if (r.label) examples.push({ text: articleText(r.title, r.body), label: r.label });
  }
  return examples;
}

/** What makes two training texts the same: case and runs of white space do not count. */
function textKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Merges reviewed labels into file examples: a reviewed label replaces the
 * file's label for the same text, and reviewed articles not in the files are
 * added. Returns the merged examples and how many were relabelled and added.
 */
export function mergeReviewed(
  examples: readonly Example[],
  reviewed: ReadonlyArray<{ title: string; body: string; label: string }>,
): { examples: Example[]; relabelled: number; added: number } {
  const byText = new Map(reviewed.map((r) => {
    const text = articleText(r.title, r.body);
    return [textKey(text), { text, label: r.label }];
  }));
  let relabelled = 0;
  const merged = examples.map((e) => {
    const key = textKey(e.text);
    const r = byText.get(key);
    if (!r) return e;
    byText.delete(key);
    if (r.label === e.label) return e;
    relabelled++;
    return { text: e.text, label: r.label };
  });
  for (const r of byText.values()) merged.push(r);
  return { examples: merged, relabelled, added: byText.size };
}

/** sha256 of the examples in order (`label \t text` lines) and their count. */
export function trainingDataHash(examples: readonly Example[]): { sha256: string; size: number } {
  const h = createHash("sha256");
  for (const e of examples) h.update(e.label).update("\t").update(e.text).update("\n");
  return { sha256: h.digest("hex"), size: examples.length };
}

/**
 * A version that sorts by training time and names its data: UTC time, the
 * training data hash prefix, and a random suffix so two trainings in the same
 * second never collide. E.g. `20261127T063200Z-3f2a9c-7b1e`.
 */
export function newModelVersion(dataSha256: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const suffix = crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, "0");
  return `${stamp}-${dataSha256.slice(0, 6)}-${suffix}`;
}

export interface TrainModelOptions extends TrainOptions {
  name: string;
  modelDir: string;
}

/**
 * Trains on `examples` and writes `modelDir/<version>` through a temporary
 * folder renamed into place, so a crash never leaves a half-written model.
 * Needs no database; returns the model's manifest.
 */
export async function trainModelDir(
  examples: readonly Example[],
  options: TrainModelOptions,
): Promise<Manifest> {
  const { name, modelDir, ...trainOptions } = options;
  const data = trainingDataHash(examples);
  const model = await trainTextClassifier(examples, trainOptions);
  const version = newModelVersion(data.sha256);
  const tmp = join(modelDir, `.tmp-${crypto.randomUUID()}`);
  await Deno.mkdir(modelDir, { recursive: true });
  try {
    const manifest = await writeModelDir(tmp, model, { name, version, trainingData: data });
    await Deno.rename(tmp, join(modelDir, version));
    return manifest;
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Registers a model written by {@link trainModelDir} (it stays inactive). */
export async function registerTrained(db: Db, manifest: Manifest): Promise<void> {
  await registerModel(db, {
    version: manifest.version,
    name: manifest.name,
    labels: manifest.labels,
    origin: "trained",
    location: manifest.version,
    manifest,
  });
}

/** {@link trainModelDir}, then {@link registerTrained}. Does not activate the model. */
export async function trainAndRegister(
  db: Db,
  examples: readonly Example[],
  options: TrainModelOptions,
): Promise<Manifest> {
  const manifest = await trainModelDir(examples, options);
  await registerTrained(db, manifest);
  return manifest;
}

/**
 * Runs `newsintel train DATA --out MODEL_DIR` as a separate process and returns
 * the manifest of the model it wrote (not registered). The serving process uses
 * it for its first model: training's working memory (texts, features, the
 * optimiser's state) then goes back to the system when that process ends,
 * instead of staying in the server's heap. It runs with the permissions of
 * `deno task start` plus our `DATA_DIR` and `MODEL_DIR`; its log lines go to our
 * standard error; aborting `signal` stops it.
 */
export async function trainInSubprocess(options: {
  data: string;
  name: string;
  seed: number;
  dataDir: string;
  modelDir: string;
  logLevel?: string;
  signal?: AbortSignal;
}): Promise<Manifest> {
  const dataDir = resolve(options.dataDir);
  const modelDir = resolve(options.modelDir);
  const { program, args, cwd } = await selfCommand([
    "train",
    options.data,
    "--name",
    options.name,
    "--seed",
    String(options.seed),
    "--out",
    modelDir,
    "--json",
  ], { readWrite: [dataDir, modelDir] });
  const out = await new Deno.Command(program, {
    args,
    cwd,
    env: { DATA_DIR: dataDir, MODEL_DIR: modelDir, LOG_LEVEL: options.logLevel ?? "info" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    signal: options.signal,
  }).output();
  if (!out.success) {
    throw new Error(
      `training in a separate process (newsintel train --out ${modelDir}) failed with ${
        out.signal ? `signal ${out.signal}` : `exit code ${out.code}`
      }; its log lines above say why`,
    );
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as Manifest;
}
