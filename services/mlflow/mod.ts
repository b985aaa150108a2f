/**
 * MLflow tracking of training runs (`MLFLOW_TRACKING_URI`): once a training run has
 * ended, it is read back from `training_runs` and logged — params, metrics, tags
 * and, for a run that produced a model, the model bundle as an artifact — to a
 * file store (`file:PATH`) or a tracking server (`http(s)://`). Logging never
 * fails training: a failure is logged as a warning and kept on the training run
 * (`mlflow_error`), as the MLflow run id is on success (`runs show`).
 */
import { join } from "node:path";
import type { Db } from "../../db/mod.ts";
import { getRun, recordMlflow } from "../../db/training_runs.ts";
import type { Config } from "../../lib/config.ts";
import { logger } from "../../lib/log.ts";
import { bundleModel } from "../../ml/bundle.ts";
import { type Artifact, fileStoreRoot, logToFileStore } from "./file_store.ts";
import { logToServer, MlflowLogError } from "./rest.ts";
import { MLFLOW_LIMITS, mlflowKey, type MlflowRecord, mlflowRecord } from "./record.ts";

export { mlflowRecord } from "./record.ts";

const log = logger("mlflow");

/** Metrics and tags logged with a training run besides its own (e.g. a retrain's gate). */
export interface RunExtras {
  metrics?: Record<string, number | null | undefined>;
  tags?: Record<string, string | null | undefined>;
}

/** Logs ended training runs somewhere; never throws. */
export interface RunTracking {
  /**
   * Logs training run `runId` (already finished or failed in `db`); a model it
   * produced is read from `modelDir/<version>`.
   */
  log(db: Db, runId: number, modelDir: string, extras?: RunExtras): Promise<void>;
}

/** `record` with `extras` added (a metric without a finite value, or an empty tag, left out). */
export function withExtras(record: MlflowRecord, extras: RunExtras = {}): MlflowRecord {
  const timestamp = record.endTime ?? record.startTime;
  const metrics = Object.entries(extras.metrics ?? {})
    .filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]))
    .map(([key, value]) => ({ key: mlflowKey(key), value, timestamp, step: 0 }));
  const tags = Object.entries(extras.tags ?? {})
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .map(([key, value]) => ({
      key: mlflowKey(key),
      value: value.slice(0, MLFLOW_LIMITS.tagValue),
    }));
  return { ...record, metrics: [...record.metrics, ...metrics], tags: [...record.tags, ...tags] };
}

type TrackingConfig = Pick<
  Config,
  | "mlflowTrackingUri"
  | "mlflowTrackingToken"
  | "mlflowTrackingUsername"
  | "mlflowTrackingPassword"
  | "mlflowExperimentName"
>;

/** The tracking `config` asks for, or undefined when `MLFLOW_TRACKING_URI` is unset. */
export function mlflowTracking(config: TrackingConfig): RunTracking | undefined {
  const uri = config.mlflowTrackingUri;
  if (!uri) return undefined;
  const experiment = config.mlflowExperimentName;
  const send = uri.startsWith("file:")
    ? (run: Parameters<typeof logToFileStore>[2]) =>
      logToFileStore(fileStoreRoot(uri), experiment, run)
    : (run: Parameters<typeof logToServer>[2]) =>
      logToServer(
        {
          baseUrl: uri,
          token: config.mlflowTrackingToken,
          username: config.mlflowTrackingUsername,
          password: config.mlflowTrackingPassword,
        },
        experiment,
        run,
      );
  return {
    async log(db, runId, modelDir, extras) {
      let bundle: string | null = null;
      try {
        const run = await getRun(db, runId);
        if (!run) throw new Error(`no training run ${runId}`);
        const artifacts: Artifact[] = [];
        if (run.modelVersion) {
          bundle = join(modelDir, `.tmp-mlflow-${crypto.randomUUID()}.tar.gz`);
          await bundleModel(join(modelDir, run.modelVersion), bundle);
          artifacts.push({ path: bundle, name: `${run.modelVersion}.tar.gz` });
        }
        const mlflowRunId = await send({
          record: withExtras(mlflowRecord(run), extras),
          artifacts,
        });
        await recordMlflow(db, runId, { runId: mlflowRunId, error: null });
        log.info("training run {runId} logged to MLflow as run {mlflowRunId}", {
          runId,
          mlflowRunId,
        });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log.warning("training run {runId} could not be logged to MLflow: {error}", {
          runId,
          error,
        });
        const mlflowRunId = err instanceof MlflowLogError ? err.runId : null;
        await recordMlflow(db, runId, { runId: mlflowRunId, error }).catch(() => {});
      } finally {
        if (bundle) await Deno.remove(bundle).catch(() => {});
      }
    },
  };
}
