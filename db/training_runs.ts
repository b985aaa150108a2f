/**
 * Training runs (migrations/0011_training_runs.sql): a row written as `running`
 * when training starts, then finished with its metrics and model version, or
 * failed with its error. Metrics and parameters are stored as the trainer
 * reported them; this module does not read inside them. A run renews its
 * heartbeat while it trains (migrations/0018), so one whose process was killed
 * is failed as abandoned instead of staying `running` for ever.
 */
import type { Queryable } from "./mod.ts";

export type RunStatus = "running" | "succeeded" | "failed";

/** The training data of a run: sha256 of its examples and how many there were. */
export interface RunData {
  sha256: string;
  size: number;
}

/** A stored training run. */
export interface TrainingRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  parameters: Record<string, unknown>;
  data: RunData | null;
  /** One evaluation report per cross-fitting fold, or null. */
  foldMetrics: Record<string, unknown>[] | null;
  /** The out-of-fold (final) metrics, or null. */
  metrics: Record<string, unknown> | null;
  durationMs: number | null;
  error: string | null;
  modelVersion: string | null;
  /** The MLflow run it was logged as (migrations/0016), or null. */
  mlflowRunId: string | null;
  /** Why logging it in MLflow failed, or null. */
  mlflowError: string | null;
}

/** What a succeeded run produced. */
export interface RunOutcome {
  modelVersion: string;
  data: RunData;
  metrics: unknown;
  foldMetrics: unknown;
}

/** Longest error message kept; the rest of a runaway message is cut. */
export const MAX_RUN_ERROR_LENGTH = 4000;

/** How often a training run renews its heartbeat. */
export const RUN_HEARTBEAT_SECONDS = 30;
/**
 * A running run whose heartbeat is older than this was killed or crashed: the next
 * {@link startRun} (or {@link failAbandonedRuns} at `serve`'s start) fails it. Generous,
 * so that a run whose event loop a long epoch holds is not taken for dead.
 */
export const RUN_STALE_SECONDS = 600;

/** The error an abandoned run is failed with. */
export const ABANDONED_RUN_ERROR = "abandoned: its process stopped renewing the heartbeat " +
  "(killed or crashed while training)";

interface RunRow {
  id: number | string;
  started_at: Date | string;
  finished_at: Date | string | null;
  status: RunStatus;
  parameters: Record<string, unknown>;
  data_sha256: string | null;
  data_size: number | string | null;
  fold_metrics: Record<string, unknown>[] | null;
  metrics: Record<string, unknown> | null;
  duration_ms: number | string | null;
  error: string | null;
  model_version: string | null;
  mlflow_run_id: string | null;
  mlflow_error: string | null;
}

const SELECT_RUNS = `
  SELECT id, started_at, finished_at, status, parameters, data_sha256, data_size,
         fold_metrics, metrics, duration_ms, error, model_version, mlflow_run_id, mlflow_error
    FROM training_runs`;

const toRun = (r: RunRow): TrainingRun => ({
  id: Number(r.id),
  startedAt: new Date(r.started_at).toISOString(),
  finishedAt: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
  status: r.status,
  parameters: r.parameters,
  data: r.data_sha256 === null || r.data_size === null
    ? null
    : { sha256: r.data_sha256, size: Number(r.data_size) },
  foldMetrics: r.fold_metrics,
  metrics: r.metrics,
  durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  error: r.error,
  modelVersion: r.model_version,
  mlflowRunId: r.mlflow_run_id,
  mlflowError: r.mlflow_error,
});

const json = (value: unknown) => value === undefined ? null : JSON.stringify(value);

// The end time and the duration are taken from one clock reading.
const FINISH = `
  finished_at = c.t,
  duration_ms = round(extract(epoch FROM c.t - started_at) * 1000)::bigint`;

/**
 * Fails the running runs whose heartbeat is older than {@link RUN_STALE_SECONDS} as
 * abandoned; returns how many.
 */
export async function failAbandonedRuns(db: Queryable): Promise<number> {
  const rows = await db.query(
    `UPDATE training_runs SET status = 'failed', error = $2, ${FINISH}
       FROM (SELECT clock_timestamp() AS t) c
      WHERE status = 'running' AND heartbeat_at < c.t - make_interval(secs => $1)
      RETURNING id`,
    [RUN_STALE_SECONDS, ABANDONED_RUN_ERROR],
  );
  return rows.length;
}

/** Renews a running run's heartbeat; false when it is no longer running. */
export async function renewRun(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE training_runs SET heartbeat_at = clock_timestamp()
      WHERE id = $1 AND status = 'running' RETURNING id`,
    [id],
  );
  return rows.length === 1;
}

/**
 * Records that a run started with `parameters` (after failing the abandoned runs);
 * returns its id.
 */
export async function startRun(db: Queryable, parameters: unknown): Promise<number> {
  await failAbandonedRuns(db);
  const [row] = await db.query<{ id: number | string }>(
    "INSERT INTO training_runs (parameters) VALUES ($1::text::jsonb) RETURNING id",
    [json(parameters) ?? "{}"],
  );
  return Number(row.id);
}

/**
 * Marks a running run succeeded with what it produced (the model must be
 * registered, in the same transaction or before). False when the run is not
 * running (unknown, or already finished).
 */
export async function finishRun(db: Queryable, id: number, outcome: RunOutcome): Promise<boolean> {
  const rows = await db.query(
    `UPDATE training_runs
        SET status = 'succeeded', model_version = $2, data_sha256 = $3, data_size = $4,
            metrics = $5::text::jsonb, fold_metrics = $6::text::jsonb, ${FINISH}
       FROM (SELECT clock_timestamp() AS t) c
      WHERE id = $1 AND status = 'running'
      RETURNING id`,
    [
      id,
      outcome.modelVersion,
      outcome.data.sha256,
      outcome.data.size,
      json(outcome.metrics),
      json(outcome.foldMetrics),
    ],
  );
  return rows.length === 1;
}

/**
 * Marks a running run failed with its error (cut to {@link MAX_RUN_ERROR_LENGTH}
 * characters) and, when known, its data. False when the run is not running.
 */
export async function failRun(
  db: Queryable,
  id: number,
  failure: { error: string; data?: RunData | null },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE training_runs
        SET status = 'failed', error = $2,
            data_sha256 = COALESCE($3, data_sha256), data_size = COALESCE($4, data_size),
            ${FINISH}
       FROM (SELECT clock_timestamp() AS t) c
      WHERE id = $1 AND status = 'running'
      RETURNING id`,
    [
      id,
      failure.error.slice(0, MAX_RUN_ERROR_LENGTH) || "unknown error",
      failure.data?.sha256 ?? null,
      failure.data?.size ?? null,
    ],
  );
  return rows.length === 1;
}

/** Runs newest first, at most `limit`, optionally only those before an id (paging). */
export async function listRuns(
  db: Queryable,
  filter: { limit: number; beforeId?: number },
): Promise<TrainingRun[]> {
  const rows = await db.query<RunRow>(
    `${SELECT_RUNS} WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
    [filter.beforeId ?? null, filter.limit],
  );
  return rows.map(toRun);
}

/** One run, or null when there is none with that id. */
export async function getRun(db: Queryable, id: number): Promise<TrainingRun | null> {
  const [row] = await db.query<RunRow>(`${SELECT_RUNS} WHERE id = $1`, [id]);
  return row ? toRun(row) : null;
}

/**
 * Records where a finished run was logged in MLflow, or why logging it failed
 * (cut to {@link MAX_RUN_ERROR_LENGTH}). False when there is no such run.
 */
export async function recordMlflow(
  db: Queryable,
  id: number,
  outcome: { runId: string | null; error: string | null },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE training_runs SET mlflow_run_id = $2, mlflow_error = $3 WHERE id = $1 RETURNING id`,
    [
      id,
      outcome.runId,
      outcome.error === null ? null : outcome.error.slice(0, MAX_RUN_ERROR_LENGTH),
    ],
  );
  return rows.length === 1;
}
