/**
 * Logs a training run to an MLflow tracking server through its REST API 2.0:
 * the experiment by name (created when missing), `runs/create`, `runs/log-batch`
 * within MLflow's per-request limits, the model bundle through the server's
 * artifact proxy (`mlflow-artifacts`), and `runs/update` with the final status.
 * Every request carries `Authorization: Basic …` when a user and password are set, as
 * MLflow's client does, else `Bearer <token>` when a token is.
 */
import type { Artifact } from "./file_store.ts";
import type { MlflowMetric, MlflowParam, MlflowRecord, MlflowTag } from "./record.ts";
import { MLFLOW_USER } from "./record.ts";

/** MLflow's `runs/log-batch` limits: per request, and in total. */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

/** How long one API request may take; an artifact upload gets longer. */
const REQUEST_TIMEOUT_MS = 30_000;
const UPLOAD_TIMEOUT_MS = 300_000;
/** How much of an error answer is kept in the message. */
const MAX_ERROR_BODY = 500;

export interface RestOptions {
  /** The tracking server, e.g. `http://127.0.0.1:5000` (a path prefix is kept). */
  baseUrl: string;
  token?: string;
  /** Basic auth (`MLFLOW_TRACKING_USERNAME`/`PASSWORD`); MLflow's client prefers it to a token. */
  username?: string;
  password?: string;
}

/** A logging failure after the MLflow run was created: it names the run. */
export class MlflowLogError extends Error {
  constructor(message: string, readonly runId: string | null, options?: ErrorOptions) {
    super(message, options);
    this.name = "MlflowLogError";
  }
}

/** One `runs/log-batch` body's lists. */
export interface Batch {
  metrics: MlflowMetric[];
  params: MlflowParam[];
  tags: MlflowTag[];
}

/**
 * Splits params, metrics and tags into batches MLflow accepts: at most 100 params,
 * 100 tags and 1000 metrics each, 1000 entries in all. Params and tags go first,
 * each batch's room left over taken by metrics; metrics keep their order.
 */
export function batches(record: Pick<MlflowRecord, "metrics" | "params" | "tags">): Batch[] {
  const out: Batch[] = [];
  let p = 0, m = 0, t = 0;
  while (p < record.params.length || m < record.metrics.length || t < record.tags.length) {
    const params = record.params.slice(p, p + BATCH_LIMITS.params);
    const tags = record.tags.slice(t, t + BATCH_LIMITS.tags);
    const room = Math.min(BATCH_LIMITS.metrics, BATCH_LIMITS.total - params.length - tags.length);
    const metrics = record.metrics.slice(m, m + room);
    p += params.length;
    t += tags.length;
    m += metrics.length;
    out.push({ metrics, params, tags });
  }
  return out;
}

/** A failed answer from the server, said in one line. */
class HttpError extends Error {
  constructor(readonly status: number, readonly code: string | null, message: string) {
    super(message);
  }
}

function client(options: RestOptions) {
  const base = options.baseUrl.replace(/\/+$/, "");
  const shownBase = base.replace(/\/\/[^/@]*@/, "//");
  const authorization = options.username && options.password
    ? `Basic ${
      btoa(String.fromCharCode(...new TextEncoder().encode(
        `${options.username}:${options.password}`,
      )))
    }`
    : options.token
    ? `Bearer ${options.token}`
    : null;
  const headers = (type: string): HeadersInit => ({
    "Content-Type": type,
    ...(authorization ? { Authorization: authorization } : {}),
  });
  const send = async (
    method: string,
    path: string,
    init: { body?: BodyInit; type?: string; timeoutMs?: number } = {},
  ): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: headers(init.type ?? "application/json"),
        body: init.body,
        signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // The message names the URL; it is said without any user:password in it.
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        `MLflow ${method} ${path.split("?")[0]} failed: ${why.replaceAll(base, shownBase)}`,
      );
    }
    const body = await res.text();
    if (!res.ok) {
      let code: string | null = null;
      try {
        code = (JSON.parse(body) as { error_code?: string }).error_code ?? null;
      } catch { /* not MLflow's JSON error */ }
      throw new HttpError(
        res.status,
        code,
        `MLflow ${method} ${path.split("?")[0]} answered ${res.status}: ${
          body.slice(0, MAX_ERROR_BODY)
        }`,
      );
    }
    return body ? JSON.parse(body) : {};
  };
  return {
    get: (path: string) => send("GET", path),
    post: (path: string, body: unknown) => send("POST", path, { body: JSON.stringify(body) }),
    put: (path: string, body: BodyInit) =>
      send("PUT", path, { body, type: "application/octet-stream", timeoutMs: UPLOAD_TIMEOUT_MS }),
  };
}

const API = "/api/2.0/mlflow";

/** The experiment id for `name`, created when the server has none by that name. */
async function experimentId(api: ReturnType<typeof client>, name: string): Promise<string> {
  const byName = () =>
    api.get(`${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)
      .then((r) => {
        const { experiment } = r as {
          experiment: { experiment_id: string; lifecycle_stage?: string };
        };
        // MLflow's client refuses to log to a deleted experiment, and the server to make
        // another of the same name.
        if (experiment.lifecycle_stage === "deleted") {
          throw new Error(
            `MLflow experiment '${name}' (id ${experiment.experiment_id}) is deleted: ` +
              "restore it (mlflow experiments restore), delete it for good, or set another " +
              "MLFLOW_EXPERIMENT_NAME",
          );
        }
        return String(experiment.experiment_id);
      });
  try {
    return await byName();
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 404) throw err;
  }
  try {
    const created = await api.post(`${API}/experiments/create`, { name });
    return String((created as { experiment_id: string }).experiment_id);
  } catch (err) {
    // Another process created it in between.
    if (err instanceof HttpError && err.code === "RESOURCE_ALREADY_EXISTS") return await byName();
    throw err;
  }
}

/**
 * Where the server's artifact proxy stores a run's artifacts, from the run's
 * `artifact_uri` (`mlflow-artifacts:/0/<run>/artifacts`, or with a host:
 * `mlflow-artifacts://host:port/0/<run>/artifacts`); null when the server does not
 * proxy artifacts (an `s3://`, `file://`, ... store the client would write itself).
 */
export function proxiedArtifactPath(artifactUri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  return m ? m[1].replace(/\/+$/, "") : null;
}

/**
 * Logs `record` as a new run of `experimentName` on the server, uploads
 * `artifacts` when the server proxies artifacts (otherwise tags the run with why
 * they are missing), and returns the run id. A failure after the run was created
 * marks it FAILED where the server still answers, and throws an
 * {@link MlflowLogError} naming it.
 */
export async function logToServer(
  options: RestOptions,
  experimentName: string,
  run: { record: MlflowRecord; artifacts?: Artifact[] },
): Promise<string> {
  const api = client(options);
  const { record } = run;
  const experiment = await experimentId(api, experimentName);
  const created = await api.post(`${API}/runs/create`, {
    experiment_id: experiment,
    user_id: MLFLOW_USER,
    run_name: record.runName,
    start_time: record.startTime,
  }) as { run: { info: { run_id: string; artifact_uri?: string } } };
  const runId = created.run.info.run_id;
  try {
    const artifactPath = proxiedArtifactPath(created.run.info.artifact_uri ?? "");
    const tags = [...record.tags];
    if (run.artifacts?.length && artifactPath === null) {
      tags.push({
        key: "newsintel.artifacts",
        value: `not uploaded: the server does not proxy its artifact store (${
          created.run.info.artifact_uri ?? "no artifact_uri"
        })`.slice(0, 5000),
      });
    }
    for (const batch of batches({ ...record, tags })) {
      await api.post(`${API}/runs/log-batch`, { run_id: runId, ...batch });
    }
    if (artifactPath !== null) {
      for (const a of run.artifacts ?? []) {
        const path = [...artifactPath.split("/"), a.name].map(encodeURIComponent).join("/");
        await api.put(`/api/2.0/mlflow-artifacts/artifacts/${path}`, await Deno.readFile(a.path));
      }
    }
    await api.post(`${API}/runs/update`, {
      run_id: runId,
      status: record.status,
      ...(record.endTime === null ? {} : { end_time: record.endTime }),
    });
    return runId;
  } catch (err) {
    await api.post(`${API}/runs/update`, {
      run_id: runId,
      status: "FAILED",
      end_time: record.endTime ?? Date.now(),
    }).catch(() => {});
    throw new MlflowLogError(err instanceof Error ? err.message : String(err), runId, {
      cause: err,
    });
  }
}
