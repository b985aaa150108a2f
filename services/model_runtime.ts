/**
 * The models being served, one per taxonomy (`topic`, and any a newsroom added,
 * such as `section`). Loads each taxonomy's active model from the registry, and watches
 * the registry so a promotion made anywhere — another replica, the CLI — is picked up
 * within seconds without a restart: the new model is loaded beside the old one, swapped
 * in atomically, and the old one disposed once requests using it have finished.
 * Which model a start makes active is `active_model.ts`; where a registered model's
 * files are and how it loads, `registered_model.ts`. What they export is exported here
 * too, so callers import one module.
 */
import type { Db } from "../db/mod.ts";
import { activeModelVersions, DEFAULT_TAXONOMY } from "../db/models.ts";
import { shadowModelVersion } from "../db/review/mod.ts";
import { type ClassifiedText, type Classifier, MAX_RUN_CHARS, type Prediction } from "../ml/mod.ts";
import type { Config } from "../lib/config.ts";
import { logger } from "../lib/log.ts";
import { inSpan } from "../lib/tracing.ts";
import { type ModelInput, modelText } from "../ml/article_text.ts";
import { loadRegistered } from "./registered_model.ts";

export {
  DEFAULT_MODEL_NAME,
  DEFAULT_TRAINING_DATA,
  ensureActiveModel,
  trainDefaultModelEarly,
} from "./active_model.ts";
export { loadRegistered, localModelDir, registeredModelDir } from "./registered_model.ts";

const log = logger("models");

export interface ServedModel {
  name: string;
  version: string;
  labels: string[];
  /** The taxonomy it serves; absent means `topic`. */
  taxonomy?: string;
}

/** How long the registry poll waits before trying again an active model that failed to load. */
export const FAILED_MODEL_RETRY_MS = 30_000;

/** One taxonomy's predictions for a batch of texts. */
export interface Classification {
  model: ServedModel;
  predictions: Prediction[];
  /**
   * Each text's dense vector (the normalised weighted mean of its word vectors), when the
   * model has word vectors: what similarity and stories compare texts by.
   */
  vectors?: Float32Array[];
  shadow?: ShadowResult;
}

export type { ModelInput };

/** The text `classifier` is given for `input` (an article in the shape of its training texts). */
export function textFor(
  classifier: Pick<Classifier, "headlineRepeats">,
  input: ModelInput,
): string {
  return modelText(input, classifier.headlineRepeats);
}

export interface ModelRuntime {
  /** The model serving `taxonomy` (default `topic`) now, or null while none is loaded. */
  current(taxonomy?: string): ServedModel | null;
  /** Every taxonomy's served model, `topic` first, the others in name order. */
  served(): ServedModel[];
  /**
   * Classifies with the current model of `taxonomy` (default `topic`), held until the
   * call finishes; throws {@link NoModelError} when that taxonomy has none. With
   * `withShadow` and a shadow model configured, the shadow model classifies the same
   * texts too, for comparison with the `topic` model (never served).
   */
  classify(
    inputs: ModelInput[],
    options?: { withShadow?: boolean; taxonomy?: string },
  ): Promise<Classification>;
  /**
   * Classifies with every taxonomy's served model, `topic` first (the shadow model
   * beside it with `withShadow`); an empty list while none is loaded.
   */
  classifyAll(
    inputs: ModelInput[],
    options?: { withShadow?: boolean },
  ): Promise<Classification[]>;
  /** Checks the registry once and swaps models if the active one changed. */
  refresh(): Promise<void>;
  /**
   * Active models this process could not load (e.g. the model store's copy is corrupt),
   * each with why; it keeps serving what it served before. Empty when all is well.
   */
  problems(): ModelProblem[];
  /** Starts polling the registry every `intervalMs`. */
  watch(intervalMs: number): void;
  close(): Promise<void>;
}

export interface ShadowResult {
  model: ServedModel;
  predictions: Prediction[];
}

/** An active model this process could not load, and why. */
export interface ModelProblem {
  taxonomy: string;
  version: string;
  error: string;
}

export class NoModelError extends Error {
  constructor(taxonomy = DEFAULT_TAXONOMY) {
    super(`no ${taxonomy} model is loaded`);
    this.name = "NoModelError";
  }
}

interface Loaded {
  classifier: Classifier;
  model: ServedModel;
  users: number;
  retired: boolean;
}
/** `topic` first, then the other taxonomies in name order. */
function taxonomyOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === DEFAULT_TAXONOMY) return -1;
  if (b === DEFAULT_TAXONOMY) return 1;
  return a < b ? -1 : 1;
}

/** Creates the runtime and loads every taxonomy's active model. */
export async function createModelRuntime(db: Db, config: Config): Promise<ModelRuntime> {
  /** The served model per taxonomy, in {@link taxonomyOrder}. */
  let loaded = new Map<string, Loaded>();
  let shadow: Loaded | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let refreshing: Promise<void> | null = null;

  const release = async (l: Loaded) => {
    if (l.retired && l.users === 0) await l.classifier.dispose();
  };

  const load = async (version: string, taxonomy: string): Promise<Loaded> => {
    const classifier = await loadRegistered(db, config, version);
    return {
      classifier,
      model: { name: classifier.name, version, labels: classifier.labels, taxonomy },
      users: 0,
      retired: false,
    };
  };

  const retire = async (l: Loaded | null | undefined) => {
    if (!l) return;
    l.retired = true;
    await release(l);
  };

  /** Loads, swaps or drops the shadow model (compared with `topic`) to match the registry. */
  const syncShadow = async (version: string | null) => {
    const topic = loaded.get(DEFAULT_TAXONOMY);
    const wanted = version && version !== topic?.model.version ? version : null;
    if (wanted === (shadow?.model.version ?? null)) return;
    const previous = shadow;
    shadow = wanted ? await load(wanted, DEFAULT_TAXONOMY) : null;
    if (wanted) {
      log.info("shadow model {version} loaded beside the active one", { version: wanted });
    }
    await retire(previous);
  };

  const swapTo = async (taxonomy: string, version: string) => {
    const started = performance.now();
    const next = await load(version, taxonomy);
    const previous = loaded.get(taxonomy);
    // A new map, so a classifyAll() that already read the old one keeps a consistent set.
    loaded = new Map(
      [...loaded, [taxonomy, next] as const].sort(([a], [b]) => taxonomyOrder(a, b)),
    );
    log.info("serving {taxonomy} model {name} {version} (loaded in {ms}ms)", {
      taxonomy,
      name: next.model.name,
      version,
      ms: Math.round(performance.now() - started),
    });
    await retire(previous);
  };

  /** Per taxonomy, the active model that could not be loaded (the previous one keeps serving). */
  const problems = new Map<string, ModelProblem & { at: number }>();

  /**
   * Swaps every taxonomy whose active model changed; one that fails leaves the others be.
   * With `backoff` (the watch's polls), a version that failed is tried again only every
   * {@link FAILED_MODEL_RETRY_MS}, so a corrupt stored copy is not re-read every poll.
   */
  const swapChanged = async (backoff: boolean): Promise<unknown[]> => {
    const errors: unknown[] = [];
    for (const { taxonomy, version } of await activeModelVersions(db)) {
      if (version === loaded.get(taxonomy)?.model.version) {
        problems.delete(taxonomy);
        continue;
      }
      const failed = problems.get(taxonomy);
      if (
        backoff && failed?.version === version &&
        performance.now() - failed.at < FAILED_MODEL_RETRY_MS
      ) continue;
      try {
        await swapTo(taxonomy, version);
        problems.delete(taxonomy);
      } catch (err) {
        errors.push(err);
        const error = err instanceof Error ? err.message : String(err);
        // Logged once per problem, not on every poll.
        if (
          problems.get(taxonomy)?.error !== error || problems.get(taxonomy)?.version !== version
        ) {
          log.error("cannot load {taxonomy} model {version}; still serving {served}: {error}", {
            taxonomy,
            version,
            served: loaded.get(taxonomy)?.model.version ?? "none",
            error,
          });
        }
        problems.set(taxonomy, { taxonomy, version, error, at: performance.now() });
      }
    }
    return errors;
  };

  const refresh = (options: { throwFirst?: boolean; backoff?: boolean } = {}) => {
    refreshing ??= (async () => {
      try {
        const errors = await swapChanged(options.backoff ?? false);
        if (options.throwFirst && errors.length) throw errors[0];
        await syncShadow(await shadowModelVersion(db));
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  // At start there is nothing else to serve: a model that cannot be loaded stops the start.
  await refresh({ throwFirst: true });

  const run = (m: Loaded, inputs: ModelInput[]) => {
    const texts = inputs.map((input) => textFor(m.classifier, input));
    return inSpan(
      "model classify",
      {
        "model.name": m.model.name,
        "model.version": m.model.version,
        "model.taxonomy": m.model.taxonomy ?? DEFAULT_TAXONOMY,
        "model.texts": texts.length,
      },
      async () => splitVectors(await m.classifier.classify(texts)),
    );
  };

  /** Runs `models` (and the shadow beside `topic`) on `inputs`, each held until all finish. */
  const classifyWith = async (
    models: Loaded[],
    inputs: ModelInput[],
    withShadow: boolean,
  ): Promise<Classification[]> => {
    const s = withShadow && models[0] === loaded.get(DEFAULT_TAXONOMY) ? shadow : null;
    const held = s ? [...models, s] : models;
    for (const h of held) h.users++;
    try {
      const classified = async (l: Loaded, i: number): Promise<Classification> => {
        const { predictions, vectors } = await run(l, inputs);
        const own = { model: l.model, predictions, ...(vectors ? { vectors } : {}) };
        if (i > 0 || !s) return own;
        return {
          ...own,
          shadow: { model: s.model, predictions: (await run(s, inputs)).predictions },
        };
      };
      const chars = inputs.reduce(
        (n, i) => n + (typeof i === "string" ? i.length : i.title.length + i.body.length),
        0,
      );
      return await runModels(chars, models.map((l, i) => () => classified(l, i)));
    } finally {
      for (const h of held) {
        h.users--;
        await release(h);
      }
    }
  };

  return {
    current: (taxonomy = DEFAULT_TAXONOMY) => loaded.get(taxonomy)?.model ?? null,
    served: () => [...loaded.values()].map((l) => l.model),
    async classify(inputs, options = {}) {
      const taxonomy = options.taxonomy ?? DEFAULT_TAXONOMY;
      const l = loaded.get(taxonomy);
      if (!l) throw new NoModelError(taxonomy);
      const [result] = await classifyWith([l], inputs, options.withShadow ?? false);
      return result;
    },
    classifyAll(inputs, options = {}) {
      return classifyWith([...loaded.values()], inputs, options.withShadow ?? false);
    },
    refresh: () => refresh(),
    problems: () =>
      [...problems.values()].map(({ taxonomy, version, error }) => ({ taxonomy, version, error })),
    watch(intervalMs) {
      clearInterval(timer);
      timer = setInterval(() => {
        refresh({ backoff: true }).catch((err) =>
          log.warn("model refresh failed: {error}", { error: err })
        );
      }, intervalMs);
    },
    async close() {
      clearInterval(timer);
      await refreshing;
      for (const l of loaded.values()) await retire(l);
      await retire(shadow);
      loaded = new Map();
      shadow = null;
    },
  };
}

/**
 * Runs each served model's classification of texts of `chars` characters: all together up to
 * the characters one classifier run takes (ml/classifier.ts `MAX_RUN_CHARS`), one after the
 * other beyond that, since runs are synchronous work on this thread either way. Run together,
 * two models' runs over a batch of long articles followed each other with no turn of the
 * event loop between them (each model's turn between its own runs fell in the same one):
 * 35-50 ms at a time, with `/health` waiting behind them. Results in the order of `steps`.
 */
export async function runModels<T>(chars: number, steps: (() => Promise<T>)[]): Promise<T[]> {
  if (chars <= MAX_RUN_CHARS) return await Promise.all(steps.map((step) => step()));
  const results: T[] = [];
  for (const step of steps) results.push(await step());
  return results;
}

/** Predictions without their vectors, and the vectors apart (when the model gives them). */
export function splitVectors(
  classified: ClassifiedText[],
): { predictions: Prediction[]; vectors?: Float32Array[] } {
  const vectors: Float32Array[] = [];
  const predictions = classified.map(({ vector, ...prediction }) => {
    if (vector) vectors.push(vector);
    return prediction;
  });
  return vectors.length === classified.length && vectors.length > 0
    ? { predictions, vectors }
    : { predictions };
}
