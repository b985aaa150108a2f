import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import {
  DeletedExperimentError,
  experimentIdFor,
  fileStoreExperiment,
  fileStoreRoot,
  logToFileStore,
  readMeta,
} from "./file_store.ts";
import { mlflowRecord, RUN_STATUS } from "./record.ts";
import { failedRun, succeededRun } from "../../testing/services/mlflow/test_runs.ts";

// What MLflow's FileStore writes (mlflow/store/tracking/file_store.py): an
// experiment's `dict(Experiment)` less its tags, and a run's `dict(RunInfo)` plus
// the legacy fields `_make_persisted_run_info_dict` adds.
const EXPERIMENT_KEYS = [
  "artifact_location",
  "creation_time",
  "experiment_id",
  "last_update_time",
  "lifecycle_stage",
  "name",
];
const RUN_KEYS = [
  "artifact_uri",
  "end_time",
  "entry_point_name",
  "experiment_id",
  "lifecycle_stage",
  "run_id",
  "run_name",
  "run_uuid",
  "source_name",
  "source_type",
  "source_version",
  "start_time",
  "status",
  "tags",
  "user_id",
];

const read = (path: string) => Deno.readTextFile(path);
const yamlAt = async (path: string) => parse(await read(path)) as Record<string, unknown>;

/** Every file under `dir`, as paths relative to it. */
async function files(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await files(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("fileStoreRoot() reads file:relative and file:///absolute URIs", () => {
  assert.equal(fileStoreRoot("file:./data/mlruns"), "./data/mlruns");
  assert.equal(fileStoreRoot("file:///srv/mlruns"), "/srv/mlruns");
});

Deno.test("logToFileStore() writes MLflow's file store layout, field names and formats", async () => {
  const root = join(await Deno.makeTempDir({ prefix: "newsintel-mlruns-" }), "mlruns");
  try {
    const artifact = join(root, "..", "bundle.tar.gz");
    await Deno.writeFile(artifact, new Uint8Array([31, 139, 8, 0]));
    const record = mlflowRecord(succeededRun());
    const runId = await logToFileStore(root, "newsintel", {
      record,
      artifacts: [{ path: artifact, name: "v1.tar.gz" }],
    });
    assert.match(runId, /^[0-9a-f]{32}$/, "a uuid4 hex, as MLflow makes run ids");

    // A new store has MLflow's Default experiment 0 and the trash folder.
    const def = await yamlAt(join(root, "0", "meta.yaml"));
    assert.deepEqual(Object.keys(def), EXPERIMENT_KEYS);
    assert.equal(def.experiment_id, "0");
    assert.equal(def.name, "Default");
    assert.equal(def.artifact_location, pathToFileURL(join(root, "0")).href);
    assert.ok((await Deno.stat(join(root, ".trash"))).isDirectory);

    const [expId] = [...Deno.readDirSync(root)].map((e) => e.name)
      .filter((n) => n !== "0" && n !== ".trash");
    assert.match(expId, /^[1-9]\d{17}$/, "18 digits, as MLflow's _generate_unique_integer_id");
    const expText = await read(join(root, expId, "meta.yaml"));
    assert.match(expText, new RegExp(`^experiment_id: '${expId}'$`, "m"), "ids are strings");
    const exp = parse(expText) as Record<string, unknown>;
    assert.deepEqual(Object.keys(exp), EXPERIMENT_KEYS, "sorted, as PyYAML dumps them");
    assert.equal(exp.name, "newsintel");
    assert.equal(exp.lifecycle_stage, "active");
    assert.equal(typeof exp.creation_time, "number");

    const runDir = join(root, expId, runId);
    const metaText = await read(join(runDir, "meta.yaml"));
    const meta = parse(metaText) as Record<string, unknown>;
    assert.deepEqual(Object.keys(meta), RUN_KEYS);
    assert.equal(meta.run_id, runId);
    assert.equal(meta.run_uuid, runId);
    assert.equal(meta.experiment_id, expId);
    assert.equal(meta.status, RUN_STATUS.FINISHED);
    assert.equal(meta.status, 3);
    assert.equal(meta.start_time, record.startTime);
    assert.equal(meta.end_time, record.endTime);
    assert.equal(meta.lifecycle_stage, "active");
    assert.equal(meta.run_name, "agnews-topics-run-7");
    assert.equal(meta.source_type, 4);
    assert.deepEqual(meta.tags, []);
    assert.equal(meta.artifact_uri, pathToFileURL(join(runDir, "artifacts")).href);
    assert.match(metaText, /^source_name: ''$/m);
    assert.match(metaText, /^tags: \[\]$/m);

    const written = await files(runDir);
    assert.ok(written.includes("params/data_sha256"));
    assert.ok(written.includes("metrics/f1.Sci/Tech"), "a '/' in a key is a folder, as in MLflow");
    assert.ok(written.includes("tags/mlflow.runName"));
    assert.ok(written.includes("artifacts/v1.tar.gz"));
    assert.deepEqual(
      await Deno.readFile(join(runDir, "artifacts", "v1.tar.gz")),
      await Deno.readFile(artifact),
    );

    // Params and tags: the value alone, no newline.
    assert.equal(await read(join(runDir, "params", "data_size")), "300");
    assert.equal(await read(join(runDir, "params", "reviewed")), "true");
    assert.equal(await read(join(runDir, "tags", "mlflow.runName")), "agnews-topics-run-7");
    assert.equal(await read(join(runDir, "tags", "newsintel.status")), "succeeded");
    // Metrics: "timestamp value step" lines, the value as Python prints a float.
    const ts = record.endTime;
    assert.equal(
      await read(join(runDir, "metrics", "fold.accuracy")),
      `${ts} 0.8 1\n${ts} 0.9 2\n${ts} 1.0 3\n`,
    );
    assert.equal(await read(join(runDir, "metrics", "accuracy")), `${ts} 0.9 0\n`);
    for (const name of written.filter((f) => f.startsWith("metrics/"))) {
      for (const line of (await read(join(runDir, name))).trimEnd().split("\n")) {
        assert.match(line, /^\d+ -?\d+(\.\d+)?(e[-+]?\d+)? \d+$/, `${name}: ${line}`);
      }
    }

    // A second run, failed, goes into the same experiment.
    const second = await logToFileStore(root, "newsintel", { record: mlflowRecord(failedRun()) });
    const failedMeta = await yamlAt(join(root, expId, second, "meta.yaml"));
    assert.equal(failedMeta.status, RUN_STATUS.FAILED);
    assert.equal(
      await read(join(root, expId, second, "tags", "newsintel.error")),
      "training needs at least two distinct labels",
    );
    assert.deepEqual(await files(join(root, expId, second, "artifacts")), []);
  } finally {
    await Deno.remove(join(root, ".."), { recursive: true });
  }
});

Deno.test("fileStoreExperiment() finds an experiment MLflow wrote and skips what is not one", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  try {
    // As `mlflow` itself would have left them: Default, a deleted and a live experiment.
    const experiment = async (id: string, name: string, stage: string) => {
      await Deno.mkdir(join(root, id));
      await Deno.writeTextFile(
        join(root, id, "meta.yaml"),
        `artifact_location: file://${root}/${id}\ncreation_time: 1\nexperiment_id: '${id}'\n` +
          `last_update_time: 1\nlifecycle_stage: ${stage}\nname: ${name}\n`,
      );
    };
    await experiment("0", "Default", "active");
    await experiment("111", "newsintel", "deleted");
    await experiment("222", "newsintel", "active");
    await Deno.mkdir(join(root, "models"));
    await Deno.mkdir(join(root, "junk"));
    await Deno.writeTextFile(join(root, "junk", "meta.yaml"), ": not [yaml");
    assert.equal(await fileStoreExperiment(root, "newsintel"), "222");
    const fresh = await fileStoreExperiment(root, "other");
    assert.match(fresh, /^\d{18}$/);
    assert.equal(await fileStoreExperiment(root, "other"), fresh, "found again, not made twice");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Lines of PyYAML's implicit resolvers (YAML 1.1) that its safe loader cannot construct. */
function pyyamlUnconstructable(text: string): string[] {
  return text.split("\n").filter((line) => /^\w+: (<<|=)$/.test(line));
}

Deno.test("fileStoreExperiment() writes names YAML 1.1 gives a meaning to quoted, and reads them back", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  try {
    for (const name of ["<<", "=", "0o17", "yes", "~", "12:30", "0x1F"]) {
      const id = await fileStoreExperiment(root, name);
      const text = await read(join(root, id, "meta.yaml"));
      assert.deepEqual(pyyamlUnconstructable(text), [], text);
      // Read back as MLflow reads it (YAML 1.1): the name as written, never a number.
      assert.equal(readMeta(text)?.name, name);
      assert.equal(await fileStoreExperiment(root, name), id, `${name} is made once`);
    }
    assert.match(await read(join(root, experimentIdFor("<<"), "meta.yaml")), /^name: '<<'$/m);
    assert.match(await read(join(root, experimentIdFor("="), "meta.yaml")), /^name: '='$/m);
    // `0o17` is no number in YAML 1.1: written plain, as PyYAML writes it, and still found.
    assert.match(await read(join(root, experimentIdFor("0o17"), "meta.yaml")), /^name: 0o17$/m);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fileStoreExperiment() finds 0o17 that MLflow wrote, not an experiment named 15", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  try {
    await Deno.mkdir(join(root, "0"));
    await Deno.writeTextFile(join(root, "0", "meta.yaml"), "experiment_id: '0'\nname: Default\n");
    await Deno.mkdir(join(root, "333"));
    await Deno.writeTextFile(
      join(root, "333", "meta.yaml"),
      "experiment_id: '333'\nlifecycle_stage: active\nname: 0o17\n",
    );
    assert.equal(await fileStoreExperiment(root, "0o17"), "333");
    assert.notEqual(await fileStoreExperiment(root, "15"), "333");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fileStoreExperiment() refuses a name a deleted experiment in .trash holds, as MLflow does", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  try {
    const id = await fileStoreExperiment(root, "newsintel");
    // `mlflow experiments delete` moves it to .trash with lifecycle_stage deleted.
    const meta = (await read(join(root, id, "meta.yaml")))
      .replace("lifecycle_stage: active", "lifecycle_stage: deleted");
    await Deno.rename(join(root, id), join(root, ".trash", id));
    await Deno.writeTextFile(join(root, ".trash", id, "meta.yaml"), meta);
    await assert.rejects(
      () => fileStoreExperiment(root, "newsintel"),
      (err: Error) =>
        err instanceof DeletedExperimentError && err.experimentId === id &&
        /is deleted: restore it/.test(err.message),
    );
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name).sort(),
      [".trash"],
      "nothing created",
    );
    // Restored (moved back, active), it is used again.
    await Deno.rename(join(root, ".trash", id), join(root, id));
    await Deno.writeTextFile(
      join(root, id, "meta.yaml"),
      meta.replace("lifecycle_stage: deleted", "lifecycle_stage: active"),
    );
    assert.equal(await fileStoreExperiment(root, "newsintel"), id);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fileStoreExperiment(): concurrent first runs create one experiment", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  try {
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => fileStoreExperiment(join(root, "mlruns"), "newsintel")),
    );
    assert.equal(new Set(ids).size, 1);
    const folders = (await Array.fromAsync(Deno.readDir(join(root, "mlruns"))))
      .map((e) => e.name).sort();
    assert.deepEqual(folders, [".trash", "0", ids[0]].sort());
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fileStoreExperiment(): concurrent processes create one experiment", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-mlruns-" });
  const script = `import { fileStoreExperiment } from ${
    JSON.stringify(new URL("./file_store.ts", import.meta.url).href)
  };\nconsole.log(await fileStoreExperiment(Deno.args[0], "newsintel"));`;
  try {
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Deno.Command(Deno.execPath(), {
          args: ["eval", script, join(root, "mlruns")],
          stdout: "piped",
          stderr: "piped",
        }).output()),
    );
    for (const r of runs) assert.ok(r.success, new TextDecoder().decode(r.stderr));
    const ids = runs.map((r) => new TextDecoder().decode(r.stdout).trim());
    assert.equal(new Set(ids).size, 1, ids.join(" "));
    const folders = (await Array.fromAsync(Deno.readDir(join(root, "mlruns")))).map((e) => e.name);
    assert.deepEqual(folders.sort(), [".trash", "0", ids[0]].sort());
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
