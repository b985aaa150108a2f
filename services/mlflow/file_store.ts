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
 * YAML 1.1 quoting (`'0'`, `''`, `'<<'`, `'='`), and read as YAML 1.1, as MLflow reads it
 * (`0o17` is a string there, not 15).
 *
 * MLflow's file store has no lock: two processes creating one experiment make two. Here an
 * experiment is made in a temporary folder and renamed to an id derived from its name, so
 * of concurrent creators one wins and the others find its experiment.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createHash } from "node:crypto";
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

/**
 * YAML 1.1 resolves the plain scalars `<<` (merge) and `=` (value) to types PyYAML's safe
 * loader cannot construct: unquoted, one experiment named so breaks MLflow's listing of
 * every experiment. PyYAML's dumper quotes them; the `yaml` package writes them plain (even
 * a node marked for quotes keeps `<<` plain), so its output's values are quoted here. The
 * keys are ours and the values one line each (block style), so a line is `key: value`.
 */
function yaml(data: Record<string, unknown>): string {
  return stringify(data, { singleQuote: true, sortMapEntries: true, version: "1.1" })
    .replace(/^(\w+): (<<|=)$/gm, "$1: '$2'");
}

/** A meta.yaml read as MLflow reads it: YAML 1.1. */
export function readMeta(text: string): Record<string, unknown> | null {
  return parse(text, { version: "1.1" });
}

/** A file URI of an absolute path, as MLflow's `path_to_local_file_uri` writes it. */
const fileUri = (path: string) => pathToFileURL(resolve(path)).href;

/**
 * The id newsintel gives a new experiment named `name`: 18 digits, the first not 0, as
 * MLflow's file store makes them, but derived from the name (sha256), so concurrent
 * creators of one experiment aim at the same folder.
 */
export function experimentIdFor(name: string): string {
  const digits = createHash("sha256").update(name).digest();
  return [...digits.subarray(0, 18)].map((d, i) => i === 0 ? 1 + (d % 9) : d % 10).join("");
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

/**
 * Writes experiment `id` named `name` under `root`: in a temporary folder, renamed into
 * place. Returns false when a folder `id` exists already (another process made it first).
 */
async function writeExperiment(root: string, id: string, name: string): Promise<boolean> {
  const dir = join(root, id);
  // A dot folder: MLflow and the scan below skip it while it is being written.
  const staging = await Deno.makeTempDir({ dir: root, prefix: ".new-experiment-" });
  const now = Date.now();
  try {
    await Deno.writeTextFile(
      join(staging, "meta.yaml"),
      yaml({
        artifact_location: fileUri(dir),
        creation_time: now,
        experiment_id: id,
        last_update_time: now,
        lifecycle_stage: "active",
        name,
      }),
    );
    try {
      await Deno.rename(staging, dir);
      return true;
    } catch (err) {
      // Renaming onto a folder that is there (and not empty) fails: someone else's.
      if (await exists(join(dir, "meta.yaml"))) return false;
      throw err;
    }
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/** An experiment folder's meta.yaml, or null when it has none that reads. */
async function experimentMeta(dir: string): Promise<Record<string, unknown> | null> {
  try {
    const meta = readMeta(await Deno.readTextFile(join(dir, "meta.yaml")));
    return meta && typeof meta === "object" ? meta : null;
  } catch {
    return null; // not an experiment folder (MLflow skips a malformed one too)
  }
}

/** The experiments in `dir` (the store root or its `.trash`) named `name`. */
async function experimentsNamed(
  dir: string,
  name: string,
): Promise<{ id: string; stage: string }[]> {
  const found: { id: string; stage: string }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory || entry.name.startsWith(".") || NOT_EXPERIMENTS.has(entry.name)) {
        continue;
      }
      const meta = await experimentMeta(join(dir, entry.name));
      if (meta?.name !== name) continue;
      found.push({
        id: String(meta.experiment_id ?? entry.name),
        stage: String(meta.lifecycle_stage ?? "active"),
      });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return found;
}

/** MLflow refuses to create, or log to, an experiment whose name a deleted one holds. */
export class DeletedExperimentError extends Error {
  constructor(readonly experimentName: string, readonly experimentId: string) {
    super(
      `MLflow experiment '${experimentName}' (id ${experimentId}) is deleted: restore it ` +
        "(mlflow experiments restore), or delete it for good from the store's .trash " +
        "folder, or set another MLFLOW_EXPERIMENT_NAME",
    );
    this.name = "DeletedExperimentError";
  }
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
  // Twice at most: when another process wins the race to create it, its experiment is found.
  for (let attempt = 0; attempt < 2; attempt++) {
    const named = await experimentsNamed(root, name);
    const active = named.find((e) => e.stage === "active");
    if (active) return active.id;
    const deleted = named[0] ?? (await experimentsNamed(join(root, TRASH), name))[0];
    if (deleted) throw new DeletedExperimentError(name, deleted.id);
    if (await writeExperiment(root, experimentIdFor(name), name)) return experimentIdFor(name);
  }
  throw new Error(`MLflow experiment '${name}' could not be created in ${root}`);
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
