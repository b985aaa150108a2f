/**
 * The model being served. Loads the active model from the registry (training
 * the default AG News model on a first start with none), and watches the
 * registry so a promotion made anywhere — another replica, the CLI — is picked
 * up within seconds without a restart: the new model is loaded beside the old
 * one, swapped in atomically, and the old one disposed once requests using it
 * have finished.
 */
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import type { Db } from "../db/mod.ts";
import {
  activateModel,
  activeModelVersion,
  getModel,
  type ModelRecord,
  registerModel,
} from "../db/models.ts";
import { shadowModelVersion } from "../db/review/mod.ts";
import { type Classifier, loadClassifier, type Prediction } from "../ml/mod.ts";
import { type Config, isLocalPath } from "../lib/config.ts";
import { logger } from "../lib/log.ts";
import { inSpan } from "../lib/tracing.ts";
import { recordTraining, runParameters, trainInSubprocess } from "./training.ts";

const log = logger("models");

/** The data the default model is trained on when no model exists yet. */
export const DEFAULT_TRAINING_DATA = fileURLToPath(
  new URL("../data/agnews/train_10k.csv", import.meta.url),
);
export const DEFAULT_MODEL_NAME = "agnews-topics";

export interface ServedModel {
  name: string;
  version: string;
  labels: string[];
}

export interface ModelRuntime {
  /** The model serving now, or null while none is loaded. */
  current(): ServedModel | null;
  /**
   * Classifies with the current model (held until the call finishes). With
   * `withShadow` and a shadow model configured, the shadow model classifies
   * the same texts too, for comparison (never served).
   */
  classify(
    texts: string[],
    options?: { withShadow?: boolean },
  ): Promise<{ model: ServedModel; predictions: Prediction[]; shadow?: ShadowResult }>;
  /** Checks the registry once and swaps models if the active one changed. */
  refresh(): Promise<void>;
  /** Starts polling the registry every `intervalMs`. */
  watch(intervalMs: number): void;
  close(): Promise<void>;
}

export interface ShadowResult {
  model: ServedModel;
  predictions: Prediction[];
}

export class NoModelError extends Error {
  constructor() {
    super("no model is loaded");
    this.name = "NoModelError";
  }
}

interface Loaded {
  classifier: Classifier;
  model: ServedModel;
  users: number;
  retired: boolean;
}

/**
 * The directory of a registered model: its own path for a local `HF_MODEL`,
 * else its folder under `MODEL_DIR`; null for a hub model (served from its cache).
 */
export function registeredModelDir(config: Config, record: ModelRecord): string | null {
  if (record.origin === "hub") return null;
  return resolve(
    record.origin === "local" ? record.location : join(config.modelDir, record.location),
  );
}

/** Loads the registered model `version` from `MODEL_DIR`. */
export async function loadRegistered(db: Db, config: Config, version: string): Promise<Classifier> {
  const record = await getModel(db, version);
  if (!record) throw new Error(`model ${version} is active but not registered`);
  if (record.origin === "hub") {
    const [repo, revision] = record.location.split("@");
    return loadClassifier({
      kind: "hub",
      repo,
      revision,
      endpoint: config.hfEndpoint,
      cacheDir: join(config.modelDir, ".hub-cache"),
    });
  }
  return loadClassifier({ kind: "dir", dir: registeredModelDir(config, record)! });
}

/**
 * Makes sure a model is active: with `HF_MODEL`, registers that model and
 * activates it; otherwise, when the registry has no active model, trains the
 * default one from the bundled AG News sample, in a process of its own, and
 * activates it (once, even when several replicas start together). Aborting
 * `signal` stops that training.
 */
export async function ensureActiveModel(
  db: Db,
  config: Config,
  signal?: AbortSignal,
): Promise<string> {
  if (config.hfModel) {
    const local = isLocalPath(config.hfModel);
    const location = local
      ? resolve(config.hfModel)
      : `${config.hfModel}@${config.hfModelRevision}`;
    const classifier = local
      ? await loadClassifier({ kind: "dir", dir: location })
      : await loadClassifier({
        kind: "hub",
        repo: config.hfModel,
        revision: config.hfModelRevision!,
        endpoint: config.hfEndpoint,
        cacheDir: join(config.modelDir, ".hub-cache"),
      });
    const version = local ? `local:${location}` : location;
    await registerModel(db, {
      version,
      name: local ? classifier.name : config.hfModel,
      labels: classifier.labels,
      origin: local ? "local" : "hub",
      location,
      manifest: classifier.manifest,
    });
    await classifier.dispose();
    await db.transaction((tx) =>
      activateModel(tx, { version, action: "promote", actor: "HF_MODEL" })
    );
    return version;
  }
  const active = await activeModelVersion(db);
  if (active) return active;
  log.info("no active model: training {name} from {path} in a separate process", {
    name: DEFAULT_MODEL_NAME,
    path: DEFAULT_TRAINING_DATA,
  });
  const started = performance.now();
  // The child writes the model with `--out` and no database; this process records
  // the run and registers the model, or records why the child failed.
  const parameters = runParameters(
    { name: DEFAULT_MODEL_NAME, seed: 1, modelDir: config.modelDir },
    { reviewed: false, sources: [DEFAULT_TRAINING_DATA] },
  );
  const { manifest } = await recordTraining(
    db,
    parameters,
    config.modelDir,
    () =>
      trainInSubprocess({
        data: DEFAULT_TRAINING_DATA,
        name: parameters.name,
        seed: parameters.seed,
        dataDir: config.dataDir,
        modelDir: config.modelDir,
        logLevel: config.logLevel,
        signal,
      }),
  );
  await db.transaction((tx) =>
    activateModel(tx, { version: manifest.version, action: "bootstrap", actor: "first start" })
  );
  log.info("trained and activated {version} in {seconds}s", {
    version: manifest.version,
    seconds: Math.round(performance.now() - started) / 1000,
  });
  return (await activeModelVersion(db))!;
}

/** Creates the runtime and loads the active model. */
export async function createModelRuntime(db: Db, config: Config): Promise<ModelRuntime> {
  let loaded: Loaded | null = null;
  let shadow: Loaded | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let refreshing: Promise<void> | null = null;

  const release = async (l: Loaded) => {
    if (l.retired && l.users === 0) await l.classifier.dispose();
  };

  const load = async (version: string): Promise<Loaded> => {
    const classifier = await loadRegistered(db, config, version);
    return {
      classifier,
      model: { name: classifier.name, version, labels: classifier.labels },
      users: 0,
      retired: false,
    };
  };

  const retire = async (l: Loaded | null) => {
    if (!l) return;
    l.retired = true;
    await release(l);
  };

  /** Loads, swaps or drops the shadow model to match the registry. */
  const syncShadow = async (version: string | null) => {
    const wanted = version && version !== loaded?.model.version ? version : null;
    if (wanted === (shadow?.model.version ?? null)) return;
    const previous = shadow;
    shadow = wanted ? await load(wanted) : null;
    if (wanted) {
      log.info("shadow model {version} loaded beside the active one", { version: wanted });
    }
    await retire(previous);
  };

  const swapTo = async (version: string) => {
    const started = performance.now();
    const next = await load(version);
    const classifier = next.classifier;
    const previous = loaded;
    loaded = next;
    log.info("serving model {name} {version} (loaded in {ms}ms)", {
      name: classifier.name,
      version,
      ms: Math.round(performance.now() - started),
    });
    await retire(previous);
  };

  const refresh = () => {
    refreshing ??= (async () => {
      try {
        const version = await activeModelVersion(db);
        if (version && version !== loaded?.model.version) await swapTo(version);
        await syncShadow(await shadowModelVersion(db));
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  await refresh();

  return {
    current: () => loaded?.model ?? null,
    async classify(texts, options = {}) {
      const l = loaded;
      if (!l) throw new NoModelError();
      const s = options.withShadow ? shadow : null;
      const held = s ? [l, s] : [l];
      for (const h of held) h.users++;
      try {
        const run = (m: Loaded) =>
          inSpan(
            "model classify",
            {
              "model.name": m.model.name,
              "model.version": m.model.version,
              "model.texts": texts.length,
            },
            () => m.classifier.classify(texts),
          );
        const predictions = await run(l);
        if (!s) return { model: l.model, predictions };
        return {
          model: l.model,
          predictions,
          shadow: { model: s.model, predictions: await run(s) },
        };
      } finally {
        for (const h of held) {
          h.users--;
          await release(h);
        }
      }
    },
    refresh,
    watch(intervalMs) {
      clearInterval(timer);
      timer = setInterval(() => {
        refresh().catch((err) => log.warn("model refresh failed: {error}", { error: err }));
      }, intervalMs);
    },
    async close() {
      clearInterval(timer);
      await refreshing;
      await retire(loaded);
      await retire(shadow);
      loaded = null;
      shadow = null;
    },
  };
}
