/**
 * Retraining that closes the learning loop: train a candidate on the base data merged with
 * reviewed labels (services/retrain_data.ts), score it and the active model on the
 * evaluation set (the fixed evaluation file and agreed reviewed labels), and promote it
 * only when the gate allows (services/retrain_gate.ts), else run it as the shadow model.
 * Training runs in a separate process, as first-start training does, and is recorded in
 * `training_runs` and logged to MLflow with the gate's scores; every retrain is recorded in
 * `retrains`, which also keeps it to one at a time across replicas.
 */
import { join, resolve } from "node:path";
import type { Db } from "../db/mod.ts";
import { activeModelVersion, getModel } from "../db/models.ts";
import {
  finishRetrain,
  labelsSinceRetrain,
  renewRetrain,
  type Retrain,
  RETRAIN_HEARTBEAT_SECONDS,
  type RetrainProgress,
  type RetrainTrigger,
  startRetrain,
  type StartRetrainOutcome,
} from "../db/retrains.ts";
import { agreedArticleIds, reviewedLabels, setShadowModel } from "../db/review/mod.ts";
import { activateModel } from "../db/models.ts";
import { readDataset } from "../datasets/mod.ts";
import type { Config } from "../lib/config.ts";
import { logger } from "../lib/log.ts";
import type { Example, Manifest } from "../ml/mod.ts";
import { mlflowTracking, type RunExtras, type RunTracking } from "./mlflow/mod.ts";
import { gateDecision } from "./retrain_gate.ts";
import {
  DEFAULT_MODEL_NAME,
  DEFAULT_TRAINING_DATA,
  loadRegistered,
  type ModelRuntime,
} from "./model_runtime.ts";
import {
  fixedEvalExamples,
  MIN_AGREEING_REVIEWERS,
  type RetrainData,
  retrainData,
  scoreOnEval,
} from "./retrain_data.ts";
import { examplesFrom, recordTraining, runParameters, trainInSubprocess } from "./training.ts";
import { bundleStoreFor } from "./model_store.ts";

const log = logger("retrain");

/** Trains a candidate on `examples`, writing it under `MODEL_DIR`; returns its manifest. */
export type CandidateTrainer = (
  examples: readonly Example[],
  run: { retrainId: number; name: string; seed: number },
) => Promise<Manifest>;

/** What a retrainer needs; tests pass a small trainer and base data. */
export interface RetrainerDeps {
  db: Db;
  config: Config;
  /** Told to reload after a promotion or a new shadow model (null: no runtime here). */
  models?: Pick<ModelRuntime, "refresh"> | null;
  /** The base training examples (default: the bundled AG News sample). */
  baseExamples?: () => Promise<Example[]>;
  /** Trains the candidate (default: `newsintel train` in a separate process). */
  train?: CandidateTrainer;
  /** Aborting it stops the default trainer's process (the retrain is then recorded failed). */
  signal?: AbortSignal;
  /** Where each retrain's training run is logged (default: MLflow as configured; null: nowhere). */
  tracking?: RunTracking | null;
}

/** What MLflow keeps of a retrain besides its training run: the gate's scores and verdict. */
function mlflowExtras(r: Retrain): RunExtras {
  return {
    metrics: {
      "retrain.candidate_macro_f1": r.candidateScore,
      "retrain.active_macro_f1": r.activeScore,
      "retrain.candidate_fixed_macro_f1": r.fixedCandidateScore,
      "retrain.active_fixed_macro_f1": r.fixedActiveScore,
      "retrain.eval_size": r.evalSize,
      "retrain.fixed_eval_size": r.fixedEvalSize,
      "retrain.agreed_eval_size": r.agreedEvalSize,
    },
    tags: {
      "newsintel.retrain_id": String(r.id),
      "newsintel.retrain_trigger": r.trigger,
      "newsintel.retrain_status": r.status,
      "newsintel.retrain_reason": r.reason,
      "newsintel.retrain_active_version": r.activeVersion,
    },
  };
}

/** Starts and runs retrains. */
export interface Retrainer {
  /** Starts a retrain in the background; `conflict` when one is running anywhere. */
  start(trigger: RetrainTrigger, actor: string | null): Promise<StartRetrainOutcome>;
  /** Starts a retrain and waits for its end (the CLI). */
  run(
    trigger: RetrainTrigger,
    actor: string | null,
  ): Promise<{ kind: "finished"; retrain: Retrain } | { kind: "conflict"; running: Retrain }>;
  /**
   * With `RETRAIN_AFTER_LABELS` set, starts a retrain in the background once that many
   * reviewed labels came in since the last one; returns what it did (null: not due).
   */
  startIfDue(): Promise<StartRetrainOutcome | null>;
  /** Resolves once the retrains this process started have ended. */
  idle(): Promise<void>;
}

/** The bundled sample as training examples. */
async function bundledExamples(): Promise<Example[]> {
  return await examplesFrom(readDataset(DEFAULT_TRAINING_DATA));
}

/**
 * Writes the examples as JSON Lines under `DATA_DIR/retrain/` and trains on them with
 * `newsintel train --out` in a separate process (its memory goes back to the system when
 * it ends). Each example is written as a title alone, which the JSON Lines reader turns
 * back into exactly the same training text.
 */
function subprocessTrainer(config: Config, signal?: AbortSignal): CandidateTrainer {
  return async (examples, run) => {
    const dir = resolve(config.dataDir, "retrain");
    await Deno.mkdir(dir, { recursive: true });
    const file = join(dir, `retrain-${run.retrainId}.jsonl`);
    await Deno.writeTextFile(
      file,
      examples.map((e) => JSON.stringify({ title: e.text, label: e.label })).join("\n") + "\n",
    );
    try {
      return await trainInSubprocess({
        data: file,
        name: run.name,
        seed: run.seed,
        dataDir: config.dataDir,
        modelDir: config.modelDir,
        logLevel: config.logLevel,
        signal,
      });
    } finally {
      await Deno.remove(file).catch(() => {});
    }
  };
}

/** Creates the retrainer of this process. */
export function createRetrainer(deps: RetrainerDeps): Retrainer {
  const { db, config } = deps;
  const train = deps.train ?? subprocessTrainer(config, deps.signal);
  const base = deps.baseExamples ?? bundledExamples;
  const tracking = deps.tracking === undefined ? mlflowTracking(config) : deps.tracking;
  const running = new Set<Promise<unknown>>();

  /** Everything after the `running` row exists; never throws (a failure is recorded). */
  const execute = async (retrain: Retrain): Promise<Retrain> => {
    const heartbeat = setInterval(
      () =>
        void renewRetrain(db, retrain.id).catch((error) =>
          // A missed beat only matters once the run looks stale (10 minutes); say so meanwhile.
          log.warn("could not renew retrain {id}'s heartbeat: {error}", { id: retrain.id, error })
        ),
      RETRAIN_HEARTBEAT_SECONDS * 1000,
    );
    const progress: RetrainProgress = {};
    let done: Retrain;
    try {
      const status = await retrainSteps(retrain, progress);
      done = await finishRetrain(db, retrain.id, { ...progress, status }) ?? retrain;
      log.info("retrain {id}: {status} {version}: {reason}", {
        id: retrain.id,
        status,
        version: progress.candidateVersion,
        reason: progress.reason,
      });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.error("retrain {id} failed: {error}", { id: retrain.id, error });
      done = await finishRetrain(db, retrain.id, { ...progress, status: "failed", error })
        .catch(() => null) ?? { ...retrain, status: "failed", error };
    } finally {
      clearInterval(heartbeat);
    }
    if (tracking && progress.trainingRunId) {
      await tracking.log(db, progress.trainingRunId, config.modelDir, mlflowExtras(done));
    }
    return done;
  };

  /** Trains, scores and promotes or shadows; fills `progress` as it learns things. */
  const retrainSteps = async (
    retrain: Retrain,
    progress: RetrainProgress,
  ): Promise<"promoted" | "shadowed"> => {
    const [fixed, reviewed, agreed] = await Promise.all([
      fixedEvalExamples(config.retrainEvalFile),
      reviewedLabels(db),
      agreedArticleIds(db, { minPeople: MIN_AGREEING_REVIEWERS }),
    ]);
    const data = retrainData(await base(), reviewed, {
      evalShare: config.retrainEvalShare,
      fixed,
      agreed,
    });
    progress.trainSize = data.train.length;
    progress.evalSize = data.eval.length;
    progress.fixedEvalSize = data.fixedSize;
    progress.agreedEvalSize = data.eval.length - data.fixedSize;
    const activeRecord = retrain.activeVersion ? await getModel(db, retrain.activeVersion) : null;
    const name = activeRecord?.name ?? DEFAULT_MODEL_NAME;
    const options = { name, seed: 1, modelDir: config.modelDir };
    const { manifest } = await recordTraining(
      db,
      runParameters(options, { reviewed: true, sources: ["retrain"] }),
      config.modelDir,
      (tracker) => {
        progress.trainingRunId = tracker.id;
        tracker.data(data.train);
        return train(data.train, { retrainId: retrain.id, name, seed: options.seed });
      },
      { store: await bundleStoreFor(config) },
    );
    progress.candidateVersion = manifest.version;

    // Compared with the model active now (an admin may have promoted another meanwhile).
    const active = await activeModelVersion(db);
    const candidateScores = await scoreVersion(manifest.version, data);
    const activeScores = active ? await scoreVersion(active, data) : null;
    progress.candidateScore = candidateScores.all;
    progress.fixedCandidateScore = candidateScores.fixed;
    progress.activeScore = activeScores?.all ?? null;
    progress.fixedActiveScore = activeScores?.fixed ?? null;
    const decision = gateDecision(
      {
        trigger: retrain.trigger,
        evalSize: data.eval.length,
        candidate: candidateScores,
        active: activeScores,
      },
      {
        minEval: config.retrainMinEval,
        margin: config.retrainMargin,
        fixedTolerance: config.retrainFixedTolerance,
        autoPromote: config.retrainAutoPromote,
      },
    );
    progress.reason = decision.reason;
    const actor = retrain.actor ?? `retrain ${retrain.id}`;
    if (decision.promote) {
      await db.transaction((tx) =>
        activateModel(tx, { version: manifest.version, action: "promote", actor })
      );
    } else {
      await setShadowModel(db, manifest.version, actor);
    }
    await deps.models?.refresh().catch((e) =>
      log.warn("could not reload the models after retrain {id}: {error}", {
        id: retrain.id,
        error: e instanceof Error ? e.message : String(e),
      })
    );
    return decision.promote ? "promoted" : "shadowed";
  };

  const scoreVersion = async (version: string, data: RetrainData) => {
    const classifier = await loadRegistered(db, config, version);
    try {
      return await scoreOnEval(classifier, data);
    } finally {
      await classifier.dispose();
    }
  };

  const begin = async (trigger: RetrainTrigger, actor: string | null) =>
    await startRetrain(db, { trigger, actor, activeVersion: await activeModelVersion(db) });

  const track = <T>(p: Promise<T>): Promise<T> => {
    running.add(p);
    p.finally(() => running.delete(p)).catch(() => {});
    return p;
  };

  const start = async (trigger: RetrainTrigger, actor: string | null) => {
    const outcome = await begin(trigger, actor);
    if (outcome.kind === "started") track(execute(outcome.retrain));
    return outcome;
  };

  return {
    start,
    async run(trigger, actor) {
      const outcome = await begin(trigger, actor);
      if (outcome.kind === "conflict") return outcome;
      return { kind: "finished", retrain: await track(execute(outcome.retrain)) };
    },
    async startIfDue() {
      if (config.retrainAfterLabels <= 0) return null;
      if (await labelsSinceRetrain(db) < config.retrainAfterLabels) return null;
      return await start("labels", null);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
