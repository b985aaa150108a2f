/**
 * Logs a training run into an MLflow file store (`MLFLOW_TRACKING_URI=file:PATH`)
 * in the layout MLflow's own `FileStore` writes, so `mlflow ui --backend-store-uri
 * file:PATH` shows it:
 *
 * ```
 * PATH/0/meta.yaml                      the Default experiment (made with the store)
 * PATH/.trash/
 * PATH/<exp_id>/meta.yaml               experiment: id, name, artifact_location, ...
 * PATH/<exp_id>/<run_id>/meta.yaml      run: run_id, status as an int, times, ...
 * PATH/<exp_id>/<run_id>/params/<key>   the value alone
 * PATH/<exp_id>/<run_id>/metrics/<key>  one "timestamp value step" line per value
 * PATH/<exp_id>/<run_id>/tags/<key>     the value alone
 * PATH/<exp_id>/<run_id>/artifacts/     the model bundle
 * ```
 *
 * meta.yaml is written as PyYAML's `safe_dump` does: block style, sorted keys,
 * YAML 1.1 quoting (`'0'`, `''`).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse, stringify } from "yaml";
import { MLFLOW_USER, type MlflowMetric, type MlflowRecord, RUN_STATUS } from "./record.ts";

export const DEFAULT_EXPERIMENT_ID = "0";
const TRASH = ".trash";
/** Folders of the store root that are not experiments (MLflow's model registry keeps `models`). */
const NOT_EXPERIMENTS = new Set([TRASH, "models"]);

/** The store's folder for a `file:` tracking URI: `file:./mlruns`, `file:///abs/mlruns`. */
export function fileStoreRoot(uri: string): string {
  return uri.startsWith("file://") ? fileURLToPath(uri) : uri.slice("file:".length);
}

/** An artifact to log: a file on disk and the name it gets under `artifacts/`. */
export interface Artifact {
  path: string;
  name: string;
}

const yaml = (data: Record<string, unknown>) =>
  stringify(data, { singleQuote: true, sortMapEntries: true, version: "1.1" });

/** A file URI of an absolute path, as MLflow's `path_to_local_file_uri` writes it. */
const fileUri = (path: string) => pathToFileURL(resolve(path)).href;

/**
 * An experiment id as MLflow's file store makes them: 18 random digits, the first
 * not 0.
 */
function newExperimentId(): string {
  const digits = crypto.getRandomValues(new Uint8Array(18));
  return [...digits].map((d, i) => i === 0 ? 1 + (d % 9) : d % 10).join("");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function writeExperiment(root: string, id: string, name: string): Promise<void> {
  const dir = join(root, id);
  await Deno.mkdir(dir, { recursive: true });
  const now = Date.now();
  await Deno.writeTextFile(
    join(dir, "meta.yaml"),
    yaml({
      artifact_location: fileUri(dir),
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: "active",
      name,
    }),
  );
}

/**
 * The id of the active experiment named `name`, created when there is none. A new
 * store gets MLflow's Default experiment `0` and its `.trash` folder first.
 */
export async function fileStoreExperiment(root: string, name: string): Promise<string> {
  if (!await exists(root)) {
    await Deno.mkdir(root, { recursive: true });
    await writeExperiment(root, DEFAULT_EXPERIMENT_ID, "Default");
  }
  await Deno.mkdir(join(root, TRASH), { recursive: true });
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || NOT_EXPERIMENTS.has(entry.name)) continue;
    let meta: Record<string, unknown> | null;
    try {
      meta = parse(await Deno.readTextFile(join(root, entry.name, "meta.yaml")));
    } catch {
      continue; // not an experiment folder (MLflow skips a malformed one too)
    }
    if (meta?.name === name && (meta.lifecycle_stage ?? "active") === "active") {
      return String(meta.experiment_id ?? entry.name);
    }
  }
  const id = newExperimentId();
  await writeExperiment(root, id, name);
  return id;
}

/** A metric value as Python writes a float (`1.0`, not `1`), which MLflow reads back. */
const pythonFloat = (x: number) => Number.isInteger(x) ? x.toFixed(1) : String(x);

/** A run's meta.yaml: MLflow's `RunInfo` and the fields its file store adds. */
function runMeta(
  root: string,
  ids: { experimentId: string; runId: string },
  record: MlflowRecord,
  status: MlflowRecord["status"],
  final: boolean,
): Record<string, unknown> {
  return {
    artifact_uri: fileUri(join(root, ids.experimentId, ids.runId, "artifacts")),
    end_time: final ? record.endTime : null,
    entry_point_name: "",
    experiment_id: ids.experimentId,
    lifecycle_stage: "active",
    run_id: ids.runId,
    run_name: record.runName,
    run_uuid: ids.runId,
    source_name: "",
    source_type: 4, // SourceType.LOCAL
    source_version: "",
    start_time: record.startTime,
    status: RUN_STATUS[status],
    tags: [],
    user_id: MLFLOW_USER,
    // Written when a run is created; a run's later rewrites leave it out.
    ...(final ? {} : { deleted_time: null }),
  };
}

/** Writes `value` to `dir/key`, a key with `/` in it making folders as MLflow does. */
async function writeKeyed(dir: string, key: string, value: string, append = false) {
  const path = join(dir, key);
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, value, { append });
}

/**
 * Logs `record` as a new run of experiment `experimentName` in the store at `root`,
 * with `artifacts` copied under the run's `artifacts/`. The run is written
 * `RUNNING` first and given its final status last, as MLflow does, so a failure
 * half-way leaves a running run, not a finished one missing data. Returns the run id.
 */
export async function logToFileStore(
  root: string,
  experimentName: string,
  options: { record: MlflowRecord; artifacts?: Artifact[] },
): Promise<string> {
  const { record } = options;
  const experimentId = await fileStoreExperiment(root, experimentName);
  const runId = crypto.randomUUID().replaceAll("-", "");
  const ids = { experimentId, runId };
  const dir = join(root, experimentId, runId);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "meta.yaml"),
    yaml(runMeta(root, ids, record, "RUNNING", false)),
  );
  for (const sub of ["metrics", "params", "artifacts", "tags"]) {
    await Deno.mkdir(join(dir, sub), { recursive: true });
  }
  for (const p of options.record.params) await writeKeyed(join(dir, "params"), p.key, p.value);
  const byKey = Map.groupBy(record.metrics, (m: MlflowMetric) => m.key);
  for (const [key, values] of byKey) {
    const lines = values.map((m) => `${m.timestamp} ${pythonFloat(m.value)} ${m.step}\n`).join("");
    await writeKeyed(join(dir, "metrics"), key, lines, true);
  }
  for (const t of record.tags) await writeKeyed(join(dir, "tags"), t.key, t.value);
  for (const a of options.artifacts ?? []) {
    await Deno.copyFile(a.path, join(dir, "artifacts", a.name));
  }
  await Deno.writeTextFile(
    join(dir, "meta.yaml"),
    yaml(runMeta(root, ids, record, record.status, record.endTime !== null)),
  );
  return runId;
}
