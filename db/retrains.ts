/**
 * Retrains (migrations/0015_retrains.sql): one row per retrain of the served model from
 * reviewed labels, written `running` when it starts and finished as promoted, shadowed or
 * failed. The table is also the lock that keeps one retrain running across replicas.
 */
import type { Queryable } from "./mod.ts";

export type RetrainTrigger = "console" | "api" | "labels" | "cli";
export type RetrainStatus = "running" | "promoted" | "shadowed" | "failed";

/** A stored retrain. */
export interface Retrain {
  id: number;
  trigger: RetrainTrigger;
  actor: string | null;
  status: RetrainStatus;
  activeVersion: string | null;
  candidateVersion: string | null;
  trainingRunId: number | null;
  activeScore: number | null;
  candidateScore: number | null;
  evalSize: number | null;
  trainSize: number | null;
  /** Macro-F1 of each model on the fixed evaluation file alone. */
  fixedActiveScore: number | null;
  fixedCandidateScore: number | null;
  /** Evaluation examples from the fixed file, and from reviewed labels two reviewers agreed on. */
  fixedEvalSize: number | null;
  agreedEvalSize: number | null;
  /** Why the gate promoted the candidate or left it as the shadow model. */
  reason: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * A running retrain whose heartbeat is older than this is taken for dead (its process
 * crashed or was killed) and failed by the next start. The runner renews it every
 * {@link RETRAIN_HEARTBEAT_SECONDS}.
 */
export const RETRAIN_STALE_SECONDS = 600;
export const RETRAIN_HEARTBEAT_SECONDS = 30;

/** Longest error message kept. */
export const MAX_RETRAIN_ERROR_LENGTH = 4000;

interface RetrainRow {
  id: number | string;
  trigger: RetrainTrigger;
  actor: string | null;
  status: RetrainStatus;
  active_version: string | null;
  candidate_version: string | null;
  training_run_id: number | string | null;
  active_score: number | null;
  candidate_score: number | null;
  eval_size: number | null;
  train_size: number | null;
  fixed_active_score: number | null;
  fixed_candidate_score: number | null;
  fixed_eval_size: number | null;
  agreed_eval_size: number | null;
  reason: string | null;
  error: string | null;
  started_at: Date | string;
  finished_at: Date | string | null;
}

const COLUMNS = `id, trigger, actor, status, active_version, candidate_version, training_run_id,
  active_score, candidate_score, eval_size, train_size, fixed_active_score,
  fixed_candidate_score, fixed_eval_size, agreed_eval_size, reason, error, started_at,
  finished_at`;

const iso = (d: Date | string) => new Date(d).toISOString();
const toNumber = (v: number | string | null) => (v === null ? null : Number(v));

function toRetrain(r: RetrainRow): Retrain {
  return {
    id: Number(r.id),
    trigger: r.trigger,
    actor: r.actor,
    status: r.status,
    activeVersion: r.active_version,
    candidateVersion: r.candidate_version,
    trainingRunId: toNumber(r.training_run_id),
    activeScore: r.active_score,
    candidateScore: r.candidate_score,
    evalSize: r.eval_size,
    trainSize: r.train_size,
    fixedActiveScore: r.fixed_active_score,
    fixedCandidateScore: r.fixed_candidate_score,
    fixedEvalSize: r.fixed_eval_size,
    agreedEvalSize: r.agreed_eval_size,
    reason: r.reason,
    error: r.error,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at === null ? null : iso(r.finished_at),
  };
}

/** What {@link startRetrain} did: started one, or found one running. */
export type StartRetrainOutcome =
  | { kind: "started"; retrain: Retrain }
  | { kind: "conflict"; running: Retrain };

/**
 * Starts a retrain unless one is running. A running row whose heartbeat is older than
 * {@link RETRAIN_STALE_SECONDS} is first failed as abandoned. The unique index on running
 * rows decides between concurrent starts, on any number of replicas.
 */
export async function startRetrain(
  db: Queryable,
  start: { trigger: RetrainTrigger; actor: string | null; activeVersion: string | null },
): Promise<StartRetrainOutcome> {
  await db.query(
    `UPDATE retrains
        SET status = 'failed', finished_at = clock_timestamp(),
            error = 'abandoned: its process stopped renewing the heartbeat'
      WHERE status = 'running'
        AND heartbeat_at < clock_timestamp() - make_interval(secs => $1)`,
    [RETRAIN_STALE_SECONDS],
  );
  const [row] = await db.query<RetrainRow>(
    `INSERT INTO retrains (trigger, actor, active_version) VALUES ($1, $2, $3)
     ON CONFLICT (status) WHERE status = 'running' DO NOTHING
     RETURNING ${COLUMNS}`,
    [start.trigger, start.actor, start.activeVersion],
  );
  if (row) return { kind: "started", retrain: toRetrain(row) };
  const [running] = await db.query<RetrainRow>(
    `SELECT ${COLUMNS} FROM retrains WHERE status = 'running'`,
  );
  // The running one may have finished between the two statements: try once more.
  if (!running) return startRetrain(db, start);
  return { kind: "conflict", running: toRetrain(running) };
}

/** Renews a running retrain's heartbeat; false when it is no longer running. */
export async function renewRetrain(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE retrains SET heartbeat_at = clock_timestamp()
      WHERE id = $1 AND status = 'running' RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/** Details of a retrain known before it ends (recorded even when it fails). */
export interface RetrainProgress {
  candidateVersion?: string | null;
  trainingRunId?: number | null;
  activeScore?: number | null;
  candidateScore?: number | null;
  evalSize?: number | null;
  trainSize?: number | null;
  fixedActiveScore?: number | null;
  fixedCandidateScore?: number | null;
  fixedEvalSize?: number | null;
  agreedEvalSize?: number | null;
  reason?: string | null;
}

/**
 * Finishes a running retrain as promoted, shadowed or failed (with `error`). Returns
 * the row, or null when it was no longer running.
 */
export async function finishRetrain(
  db: Queryable,
  id: number,
  end: RetrainProgress & { status: Exclude<RetrainStatus, "running">; error?: string | null },
): Promise<Retrain | null> {
  const [row] = await db.query<RetrainRow>(
    `UPDATE retrains
        SET status = $2, error = $3, candidate_version = COALESCE($4, candidate_version),
            training_run_id = COALESCE($5, training_run_id), active_score = $6,
            candidate_score = $7, eval_size = $8, train_size = $9,
            fixed_active_score = $10, fixed_candidate_score = $11, fixed_eval_size = $12,
            agreed_eval_size = $13, reason = $14, finished_at = clock_timestamp()
      WHERE id = $1 AND status = 'running'
     RETURNING ${COLUMNS}`,
    [
      id,
      end.status,
      end.error ? end.error.slice(0, MAX_RETRAIN_ERROR_LENGTH) : null,
      end.candidateVersion ?? null,
      end.trainingRunId ?? null,
      end.activeScore ?? null,
      end.candidateScore ?? null,
      end.evalSize ?? null,
      end.trainSize ?? null,
      end.fixedActiveScore ?? null,
      end.fixedCandidateScore ?? null,
      end.fixedEvalSize ?? null,
      end.agreedEvalSize ?? null,
      end.reason ? end.reason.slice(0, MAX_RETRAIN_ERROR_LENGTH) : null,
    ],
  );
  return row ? toRetrain(row) : null;
}

/** Retrains, newest first (at most `limit`, capped at 500). */
export async function listRetrains(db: Queryable, limit = 50): Promise<Retrain[]> {
  const rows = await db.query<RetrainRow>(
    `SELECT ${COLUMNS} FROM retrains ORDER BY id DESC LIMIT $1`,
    [Math.max(1, Math.min(500, Math.floor(limit)))],
  );
  return rows.map(toRetrain);
}

export async function getRetrain(db: Queryable, id: number): Promise<Retrain | null> {
  const [row] = await db.query<RetrainRow>(`SELECT ${COLUMNS} FROM retrains WHERE id = $1`, [id]);
  return row ? toRetrain(row) : null;
}

/**
 * Reviewed labels given since the last retrain started (any outcome, so a failing
 * retrain is not restarted at every label), or, before the first retrain, since the
 * active model was registered; every reviewed label when neither exists.
 */
export async function labelsSinceRetrain(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM review_items
      WHERE status = 'done' AND final_label IS NOT NULL
        AND decided_at > COALESCE(
              (SELECT max(started_at) FROM retrains),
              (SELECT m.created_at FROM models m
                 JOIN model_activations a ON a.version = m.version
                ORDER BY a.id DESC LIMIT 1),
              '-infinity'::timestamptz)`,
  );
  return Number(row?.n ?? 0);
}
