import assert from "node:assert/strict";
import { join } from "node:path";
import { ModelDirError, sha256, verifyModelDir, writeModelDir } from "./model_dir.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";

const model = await trainTextClassifier(toyCorpus(150), { buckets: 1024, epochs: 5 });
const META = {
  name: "toy",
  version: "1.0.0",
  trainingData: { sha256: "ab".repeat(32), size: 150 },
};

async function freshDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "model_dir_test_" });
  await writeModelDir(dir, model, META);
  return dir;
}

async function rejectsWith(dir: string, pattern: RegExp, path?: string) {
  await assert.rejects(() => verifyModelDir(dir), (e) => {
    assert.ok(e instanceof ModelDirError, String(e));
    assert.match(e.message, pattern);
    if (path) assert.equal(e.path, path);
    return true;
  });
}

Deno.test("writeModelDir() writes a Hugging Face layout and a manifest that verifies", async () => {
  const dir = await freshDir();
  const manifest = await verifyModelDir(dir);
  assert.equal(manifest.name, "toy");
  assert.equal(manifest.version, "1.0.0");
  assert.deepEqual(manifest.labels, model.labels);
  assert.deepEqual(manifest.trainingData, META.trainingData);
  assert.deepEqual(Object.keys(manifest.files).sort(), [
    "config.json",
    "onnx/model.onnx",
    "tokenizer.json",
    "tokenizer_config.json",
  ]);
  assert.equal(
    manifest.files["config.json"],
    sha256(await Deno.readFile(join(dir, "config.json"))),
  );
  const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  assert.deepEqual(config.id2label, Object.fromEntries(model.labels.map((l, i) => [String(i), l])));
  assert.equal(config.label2id[model.labels[1]], 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("verifyModelDir() refuses a file with one flipped byte", async () => {
  const dir = await freshDir();
  const path = join(dir, "onnx/model.onnx");
  const bytes = await Deno.readFile(path);
  bytes[bytes.length >> 1] ^= 1;
  await Deno.writeFile(path, bytes);
  await rejectsWith(dir, /file onnx\/model\.onnx does not match its manifest/, path);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("verifyModelDir() names a missing directory, manifest or file", async () => {
  const dir = await freshDir();
  await rejectsWith(join(dir, "nope"), /Model directory .*nope does not exist/);
  await Deno.remove(join(dir, "tokenizer.json"));
  await rejectsWith(
    dir,
    /has no tokenizer\.json \(listed in its manifest\)/,
    join(dir, "tokenizer.json"),
  );
  await Deno.remove(join(dir, "manifest.json"));
  await rejectsWith(dir, /has no manifest\.json/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("verifyModelDir() refuses a manifest that is not JSON or misses fields", async () => {
  const dir = await freshDir();
  const manifestPath = join(dir, "manifest.json");
  await Deno.writeTextFile(manifestPath, "{ not json");
  await rejectsWith(dir, /manifest\.json is not valid JSON/, manifestPath);
  await Deno.writeTextFile(manifestPath, JSON.stringify({ name: "x" }));
  await rejectsWith(dir, /is not a valid manifest: version/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("verifyModelDir() refuses a manifest listing a path outside the model", async () => {
  const dir = await freshDir();
  const manifestPath = join(dir, "manifest.json");
  const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
  manifest.files["../secret"] = "00".repeat(32);
  await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
  await rejectsWith(dir, /lists a file outside the model: \.\.\/secret/);
  await Deno.remove(dir, { recursive: true });
});
