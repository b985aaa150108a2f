/**
 * Training orchestration shared by `newsintel train` and first start: read
 * labelled data, train, write the model directory atomically, register it, and
 * record every run (parameters, data, metrics, outcome) in `training_runs`.
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import type { Db, Queryable } from "../db/mod.ts";
import {
  failRun,
  finishRun,
  renewRun,
  RUN_HEARTBEAT_SECONDS,
  type RunData,
  startRun,
} from "../db/training_runs.ts";
import { logger } from "../lib/log.ts";
import { selfCommand } from "../lib/self_command.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import {
  crossFitFolds,
  DEFAULT_HYPERPARAMETERS,
  type Example,
  type Hyperparameters,
  type Manifest,
  type TrainOptions,
  trainTextClassifier,
  type ValidationReport,
  writeModelDir,
} from "../ml/mod.ts";
import { articleExample } from "../ml/article_text.ts";
import { vectorProvider, type VectorSource } from "../ml/word_vectors.ts";
import type { RunTracking } from "./mlflow/mod.ts";
import { type BundleStore, registerStoredModel } from "./model_store.ts";

const log = logger("training");

/** Labelled examples from data set records (records without a label are skipped). */
export async function examplesFrom(records: AsyncIterable<DatasetRecord>): Promise<Example[]> {
  const examples: Example[] = [];
  for await (const r of records) {
    if (r.label) examples.push(articleExample(r.title, r.body, r.label));
  }
  return examples;
}

/** What makes two training texts the same: case and runs of white space do not count. */
export function textKey(text: string): string {
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
    const example = articleExample(r.title, r.body, r.label);
    return [textKey(example.text), example];
  }));
  let relabelled = 0;
  const merged = examples.map((e) => {
    const key = textKey(e.text);
    const r = byText.get(key);
    if (!r) return e;
    byText.delete(key);
    if (r.label === e.label) return e;
    relabelled++;
    return { ...e, label: r.label };
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

export interface TrainModelOptions extends Omit<TrainOptions, "vectors"> {
  name: string;
  modelDir: string;
  /** Pretrained word vectors for the dense block (default `glove`: the npm package's). */
  vectors?: VectorSource;
  /** A vectors file in the package's format to read instead of the package's. */
  vectorsFile?: string;
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
  const { name, modelDir, vectors = "glove", vectorsFile, ...trainOptions } = options;
  if (examples.length === 0) throw new Error("no labelled examples in the given data");
  const data = trainingDataHash(examples);
  const model = await trainTextClassifier(examples, {
    ...trainOptions,
    ...(vectors === "glove" ? { vectors: vectorProvider(vectorsFile) } : {}),
  });
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

/**
 * Registers a model written by {@link trainModelDir} to `modelDir/<version>` under
 * `taxonomy` (it stays inactive), and stores its files in the model store.
 */
export async function registerTrained(
  db: Queryable,
  manifest: Manifest,
  options: { modelDir: string; taxonomy?: string; store?: BundleStore },
): Promise<void> {
  await registerStoredModel(
    db,
    {
      version: manifest.version,
      name: manifest.name,
      taxonomy: options.taxonomy,
      labels: manifest.labels,
      origin: "trained",
      location: manifest.version,
      manifest,
    },
    join(options.modelDir, manifest.version),
    { store: options.store },
  );
}

/** What a training run was asked to do, as `training_runs.parameters` keeps it. */
export interface RunParameters {
  name: string;
  seed: number;
  /** Cross-fitting folds for calibration and the report (0: none). */
  folds: number;
  /** Whether reviewed labels were merged into the files' labels. */
  reviewed: boolean;
  /** Every hyperparameter the trainer uses, defaults included. */
  hyperparameters: Hyperparameters;
  /** The label order asked for, when one was. */
  labels?: string[];
  /** The data files or folders read, when known. */
  sources?: string[];
  /** The taxonomy the model is registered under (`topic` when not given). */
  taxonomy?: string;
  /** Whether hyperparameters were searched (the chosen ones are in the model's manifest). */
  search?: boolean;
  /** Noise-aware training: what was done with the rows whose label looks wrong. */
  clean?: string;
  /** Pretrained word vectors used (`glove` or `none`). */
  vectors?: VectorSource;
}

/** The parameters of a run of {@link trainModelDir} with `options`. */
export function runParameters(
  options: TrainModelOptions,
  run: { reviewed?: boolean; sources?: string[]; taxonomy?: string } = {},
): RunParameters {
  const hyperparameters = { ...DEFAULT_HYPERPARAMETERS };
  for (const key of Object.keys(hyperparameters) as (keyof Hyperparameters)[]) {
    if (options[key] !== undefined) {
      (hyperparameters as unknown as Record<string, unknown>)[key] = options[key];
    }
  }
  return {
    name: options.name,
    seed: options.seed ?? 1,
    folds: crossFitFolds(options.validationFraction ?? 0.1, hyperparameters.calibrationFolds),
    reviewed: run.reviewed ?? false,
    hyperparameters,
    ...(options.labels ? { labels: options.labels } : {}),
    ...(run.sources ? { sources: run.sources } : {}),
    ...(run.taxonomy ? { taxonomy: run.taxonomy } : {}),
    ...(options.search ? { search: true } : {}),
    ...(options.clean && options.clean !== "none" ? { clean: options.clean } : {}),
    vectors: options.vectors ?? "glove",
  };
}

/** What a tracked training function may tell its run before it ends. */
export interface RunTracker {
  /** The run's id in `training_runs`. */
  id: number;
  /** Names the examples trained on, so a run that fails later still says on what. */
  data(examples: readonly Example[]): void;
}

/**
 * Runs `train` as a recorded training run: a `running` row first, then, once
 * `train` has written a model directory (under `modelDir`) and returned its
 * manifest, the model is registered and the run finished with its metrics in
 * one transaction. Any failure — in training, bad data, the registration —
 * marks the run `failed` with its error, removes a model directory written but
 * not registered, and is thrown again. Either way the ended run is then logged
 * with `options.tracking` (MLflow), which never fails the run. Returns the run's
 * id and the manifest.
 */
export async function recordTraining(
  db: Db,
  parameters: RunParameters,
  modelDir: string,
  train: (run: RunTracker) => Promise<Manifest>,
  options: { tracking?: RunTracking; store?: BundleStore } = {},
): Promise<{ runId: number; manifest: Manifest }> {
  const runId = await startRun(db, parameters);
  // While it trains, the run says it is alive; a killed process stops saying so.
  const heartbeat = setInterval(
    () =>
      void renewRun(db, runId).catch((error) =>
        // A missed beat only matters once the run looks stale (10 minutes); say so meanwhile.
        log.warn("could not renew training run {runId}'s heartbeat: {error}", { runId, error })
      ),
    RUN_HEARTBEAT_SECONDS * 1000,
  );
  let data: RunData | null = null;
  let written: string | null = null;
  let manifest: Manifest;
  try {
    manifest = await train({
      id: runId,
      data: (examples) => data = trainingDataHash(examples),
    });
    written = join(modelDir, manifest.version);
    const validation = manifest.metrics as ValidationReport | null;
    const { perFold, ...metrics } = validation ?? {};
    await db.transaction(async (tx) => {
      await registerTrained(tx, manifest, {
        modelDir,
        taxonomy: parameters.taxonomy,
        store: options.store,
      });
      const finished = await finishRun(tx, runId, {
        modelVersion: manifest.version,
        data: manifest.trainingData,
        metrics: validation ? metrics : null,
        foldMetrics: perFold ?? null,
      });
      if (!finished) throw new Error(`training run ${runId} was no longer running`);
    });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (written) await Deno.remove(written, { recursive: true }).catch(() => {});
    const failed = await failRun(db, runId, { error, data }).catch((e) => {
      log.error("could not record the failure of training run {runId}: {error}", {
        runId,
        error: e instanceof Error ? e.message : String(e),
      });
      return false;
    });
    if (failed) await options.tracking?.log(db, runId, modelDir);
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
  await options.tracking?.log(db, runId, modelDir);
  return { runId, manifest };
}

/**
 * {@link trainModelDir}, then {@link registerTrained}, recorded as a training
 * run (see {@link recordTraining}). Does not activate the model.
 */
export async function trainAndRegister(
  db: Db,
  examples: readonly Example[],
  options: TrainModelOptions,
  run: {
    reviewed?: boolean;
    sources?: string[];
    taxonomy?: string;
    tracking?: RunTracking;
    store?: BundleStore;
  } = {},
): Promise<Manifest> {
  const { manifest } = await recordTraining(
    db,
    runParameters(options, run),
    options.modelDir,
    (tracker) => {
      tracker.data(examples);
      return trainModelDir(examples, options);
    },
    { tracking: run.tracking, store: run.store },
  );
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
  /** false: the default hyperparameters, no search (`--no-search`). */
  search?: boolean;
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
    ...(options.search === false ? ["--no-search"] : []),
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
