// Loads a text classifier (our model directory, any Hugging Face ONNX text-classification
// directory, or a Hugging Face hub repository at a pinned revision) and classifies texts
// with the transformers.js "text-classification" pipeline's tokenizer and model on
// onnxruntime-node (CPU).

import {
  env,
  pipeline,
  type Tensor,
  type TextClassificationPipeline,
} from "@huggingface/transformers";
import { basename } from "node:path";
import { cappedFetch } from "./hub_fetch.ts";
import type { Prediction } from "./metrics.ts";
import { checkModelFiles, hasManifest, type Manifest, verifyModelDir } from "./model_dir.ts";
import { softmax } from "./model.ts";
import { headlineRepeatsOf } from "./article_text.ts";
import { normalizeNewsText } from "./normalize.ts";
import { cacheWordPieces } from "./word_piece_cache.ts";

export type { Prediction } from "./metrics.ts";

/** Where a model comes from. */
export type ModelSource =
  | { kind: "dir"; dir: string }
  | {
    kind: "hub";
    /** Repository id, e.g. "org/model". */
    repo: string;
    /** A full commit id (the configuration refuses tags and branches, which can move). */
    revision: string;
    /** Hub base URL (default https://huggingface.co/). */
    endpoint?: string;
    /** Where downloaded files are cached. */
    cacheDir: string;
    /** Largest file to download, in bytes (default `MAX_DOWNLOAD_BYTES`). */
    maxBytes?: number;
  };

/** A loaded classifier. */
export interface Classifier {
  name: string;
  version: string;
  /** All labels, in the model's id order. */
  labels: string[];
  /** The manifest, for models we trained. */
  manifest?: Manifest;
  /** Times an article's headline opens the text it is given (article_text.ts). */
  headlineRepeats: number;
  /**
   * One prediction per text, in order; scores cover all labels and sum to 1. A model with
   * pretrained word vectors also gives each text's dense vector (`vector`).
   */
  classify(texts: string[]): Promise<ClassifiedText[]>;
  dispose(): Promise<void>;
}

/** A prediction and, from a model with word vectors, the text's normalised dense vector. */
export interface ClassifiedText extends Prediction {
  vector?: Float32Array;
}

/** Options of {@link loadClassifier}. */
export interface LoadOptions {
  /** Texts per pipeline call (default 64); a call pads every text to its longest one. */
  batchSize?: number;
}

const DEFAULT_ENDPOINT = "https://huggingface.co/";

/**
 * onnxruntime runs each graph on the calling thread only. By default it starts a pool of
 * one thread per core that spin-waits for work after every run: for our graphs (a run of
 * a few texts takes well under a millisecond) the pool speeds nothing up, while its
 * spinning takes a core from the event loop and the HTTP clients. On the 2-core machines,
 * under 32 connections of one-text classify calls, the server used ~25% less CPU per
 * request without it (see bench/http_load.ts).
 */
const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/**
 * Loads a classifier. A directory with a manifest.json is verified against it first (a
 * tampered file throws `ModelDirError`); a directory without one must still hold the Hugging
 * Face files. A hub source downloads through transformers.js at the pinned revision.
 *
 * @example
 * ```ts
 * const classifier = await loadClassifier({ kind: "dir", dir: "models/1" });
 * const [p] = await classifier.classify(["Stocks rallied on Wall Street."]);
 * p.label; // e.g. "Business"
 * await classifier.dispose();
 * ```
 */
export async function loadClassifier(
  source: ModelSource,
  options: LoadOptions = {},
): Promise<Classifier> {
  let classifier: TextClassificationPipeline;
  let manifest: Manifest | undefined;
  let name: string;
  let version: string;
  // transformers.js keeps its settings in a global `env`; set them right before each load.
  if (source.kind === "dir") {
    if (await hasManifest(source.dir)) manifest = await verifyModelDir(source.dir);
    else await checkModelFiles(source.dir);
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    classifier = await pipeline("text-classification", source.dir, {
      device: "cpu",
      dtype: "fp32",
      local_files_only: true,
      session_options: SESSION_OPTIONS,
    });
    name = manifest?.name ?? basename(source.dir);
    version = manifest?.version ?? "unversioned";
  } else {
    env.allowRemoteModels = true;
    env.remoteHost = source.endpoint ?? DEFAULT_ENDPOINT;
    env.fetch = cappedFetch(source.maxBytes);
    // transformers.js 4.3 forgets `revision` on some requests (the pipeline's file discovery
    // asks for config.json at "main"), so the pinned revision goes into the path template too.
    env.remotePathTemplate = `{model}/resolve/${encodeURIComponent(source.revision)}/`;
    env.cacheDir = source.cacheDir;
    env.useFSCache = true;
    try {
      classifier = await pipeline("text-classification", source.repo, {
        device: "cpu",
        dtype: "fp32",
        revision: source.revision,
        session_options: SESSION_OPTIONS,
      });
    } catch (e) {
      throw new Error(
        `Could not load ${source.repo} at revision ${source.revision} from ${env.remoteHost}: ${
          (e as Error).message
        }`,
        { cause: e },
      );
    }
    name = source.repo;
    version = source.revision;
  }
  const id2label = (classifier.model.config as unknown as { id2label?: Record<string, string> })
    .id2label ?? {};
  const labels = Object.entries(id2label).sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, l]) => l);
  const batchSize = options.batchSize ?? 64;
  cacheWordPieces(classifier.tokenizer);

  const config = classifier.model.config as unknown as {
    problem_type?: string;
    newsintel?: { vectors?: number };
  };
  const multiLabel = config.problem_type === "multi_label_classification";
  const vectorDim = config.newsintel?.vectors;

  // The pipeline's own tokenizer and model, with its post-processing done here: the
  // pipeline's call runs a separate onnxruntime session (its top-k op) for every text,
  // which cost a third of a one-text call. The scores are the same: softmax over the
  // logits (sigmoid for multi-label models), labels from the model's id2label.
  async function run(texts: string[]): Promise<ClassifiedText[]> {
    const inputs = classifier.tokenizer(texts, { padding: true, truncation: true });
    // transformers.js keeps outputs other than `logits` in `attentions`, in graph order:
    // our graph's second output is the texts' vectors.
    const { logits, attentions } = await classifier.model(inputs) as {
      logits: Tensor;
      attentions?: Tensor[];
    };
    const vectors = vectorDim && attentions?.[0]?.dims.at(-1) === vectorDim
      ? attentions[0].data as Float32Array
      : undefined;
    const width = logits.dims.at(-1)!;
    const data = logits.data as Float32Array;
    return texts.map((_, row) => {
      const raw = data.subarray(row * width, (row + 1) * width);
      const probs = multiLabel ? raw.map((x) => 1 / (1 + Math.exp(-x))) : softmax(raw);
      const scores: Record<string, number> = {};
      let top = 0;
      for (let i = 0; i < width; i++) {
        scores[labels[i] ?? `LABEL_${i}`] = probs[i];
        if (probs[i] > probs[top]) top = i;
      }
      const prediction = { label: labels[top] ?? `LABEL_${top}`, score: probs[top], scores };
      return vectors && vectorDim
        ? { ...prediction, vector: vectors.slice(row * vectorDim, (row + 1) * vectorDim) }
        : prediction;
    });
  }

  return {
    name,
    version,
    labels,
    ...(manifest ? { manifest } : {}),
    headlineRepeats: headlineRepeatsOf(manifest?.hyperparameters),
    classify: coalesce(async (texts: string[]): Promise<ClassifiedText[]> => {
      const chars = texts.reduce((n, t) => n + t.length, 0);
      if (texts.length <= batchSize && chars <= MAX_RUN_CHARS) {
        return texts.length ? await run(texts.map(normalizeNewsText)) : [];
      }
      // Texts of similar length run together, so little time goes into padding; each run
      // takes at most `batchSize` texts and `MAX_RUN_CHARS` characters, and other requests
      // are served between runs, so a large call never holds the event loop for long.
      const order = texts.map((_, i) => i).sort((a, b) =>
        texts[a].length - texts[b].length || a - b
      );
      const result = new Array<ClassifiedText>(texts.length);
      for (const idx of runsOf(order, (i) => texts[i].length, batchSize)) {
        if (idx[0] !== order[0]) await new Promise((resolve) => setTimeout(resolve, 0));
        const predictions = await run(idx.map((i) => normalizeNewsText(texts[i])));
        idx.forEach((i, j) => (result[i] = predictions[j]));
      }
      return result;
    }, batchSize),
    async dispose() {
      await classifier.dispose();
    },
  };
}

/**
 * Most characters one model run tokenizes: tokenizing and running the model are
 * synchronous, so this bounds how long one run holds the event loop. On this project's
 * 2-core machines a run of 50,000 characters (five 10 KB articles) took 12-30 ms, and up
 * to 175 ms while a batch of such articles was stored beside it (an event-loop gap
 * monitor during bench/ingest_http.ts); 20,000 take two fifths of that. Headlines with a
 * lead are ~300 characters, so batches of short articles still run whole.
 */
export const MAX_RUN_CHARS = 20_000;

/**
 * Splits `order` into consecutive runs of at most `maxTexts` items and `MAX_RUN_CHARS`
 * characters (a single longer item runs alone).
 */
export function runsOf(
  order: number[],
  lengthOf: (i: number) => number,
  maxTexts: number,
): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  for (const i of order) {
    const n = lengthOf(i);
    if (current.length && (current.length >= maxTexts || chars + n > MAX_RUN_CHARS)) {
      runs.push(current);
      current = [];
      chars = 0;
    }
    current.push(i);
    chars += n;
  }
  if (current.length) runs.push(current);
  return runs;
}

interface Waiting<T> {
  texts: string[];
  resolve(predictions: T[]): void;
  reject(error: unknown): void;
}

/**
 * Lets concurrent calls share model runs: calls that arrive while a run is in progress
 * wait for it, then go together (up to `maxTexts` texts) in the next one. There is no
 * timer, so a call that finds the model idle starts at once; under load, one run per
 * batch of waiting calls saves the per-run cost (tokenizer and onnxruntime calls) of
 * all but one of them.
 */
export function coalesce<T = Prediction>(
  run: (texts: string[]) => Promise<T[]>,
  maxTexts: number,
): (texts: string[]) => Promise<T[]> {
  const queue: Waiting<T>[] = [];
  let busy = false;
  const drain = async () => {
    busy = true;
    while (queue.length) {
      const batch = [queue.shift()!];
      let n = batch[0].texts.length;
      while (queue.length && n + queue[0].texts.length <= maxTexts) {
        n += queue[0].texts.length;
        batch.push(queue.shift()!);
      }
      try {
        const predictions = await run(batch.flatMap((w) => w.texts));
        let at = 0;
        for (const w of batch) w.resolve(predictions.slice(at, at += w.texts.length));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    busy = false;
  };
  return (texts) =>
    new Promise((resolve, reject) => {
      queue.push({ texts, resolve, reject });
      if (!busy) drain();
    });
}
