import assert from "node:assert/strict";
import { packTar } from "modern-tar";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { BundleError, bundleModel, importBundle } from "./bundle.ts";
import { verifyModelDir, writeModelDir } from "./model_dir.ts";
import { toyCorpus } from "./toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";

const model = await trainTextClassifier(toyCorpus(150), { buckets: 1024, epochs: 5 });
const META = { name: "toy", version: "3.1", trainingData: { sha256: "ef".repeat(32), size: 150 } };

async function setup() {
  const root = await Deno.makeTempDir({ prefix: "bundle_test_" });
  const dir = join(root, "src");
  await writeModelDir(dir, model, META);
  const file = join(root, "model.tar.gz");
  await bundleModel(dir, file);
  return { root, dir, file, models: join(root, "models") };
}

async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(path)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

Deno.test("importBundle() installs a bundled model under its version", async () => {
  const { root, file, models } = await setup();
  const manifest = await importBundle(file, models);
  assert.equal(manifest.version, "3.1");
  assert.deepEqual(await listDir(models), ["3.1"]);
  assert.deepEqual(await verifyModelDir(join(models, "3.1")), manifest);
  await assert.rejects(() => importBundle(file, models), /Model version 3\.1 already exists/);
  assert.deepEqual(await listDir(models), ["3.1"], "a refused import leaves no staging dir");
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses a bundle with a flipped byte", async () => {
  const { root, file, models } = await setup();
  const tar = gunzipSync(await Deno.readFile(file));
  // Flip a byte inside the first file after manifest.json (header 512 + data, padded to 512).
  const manifestSize = parseInt(new TextDecoder().decode(tar.subarray(124, 136)), 8);
  const second = 512 + Math.ceil(manifestSize / 512) * 512;
  tar[second + 512 + 5] ^= 1;
  await Deno.writeFile(file, gzipSync(tar));
  await assert.rejects(
    () => importBundle(file, models),
    (e) =>
      e instanceof BundleError &&
      /failed verification: .*does not match its manifest/.test(e.message),
  );
  assert.deepEqual(await listDir(models), []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses path traversal entries", async () => {
  const root = await Deno.makeTempDir({ prefix: "bundle_test_" });
  for (const name of ["../evil.txt", "/etc/evil", "a/../../evil"]) {
    const file = join(root, "evil.tar.gz");
    const body = new TextEncoder().encode("x");
    await Deno.writeFile(
      file,
      gzipSync(await packTar([{ header: { name, size: 1 }, body }])),
    );
    await assert.rejects(
      () => importBundle(file, join(root, "models")),
      (e) => e instanceof BundleError && /unsafe entry/.test(e.message),
      name,
    );
  }
  assert.deepEqual(await listDir(root), ["evil.tar.gz"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses a file that is not a gzip archive", async () => {
  const root = await Deno.makeTempDir({ prefix: "bundle_test_" });
  const file = join(root, "bad.tar.gz");
  await Deno.writeTextFile(file, "not gzip");
  await assert.rejects(() => importBundle(file, join(root, "models")), /not a readable \.tar\.gz/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("bundleModel() refuses to bundle a tampered model directory", async () => {
  const { root, dir } = await setup();
  await Deno.writeTextFile(join(dir, "config.json"), "{}");
  await assert.rejects(
    () => bundleModel(dir, join(root, "x.tar.gz")),
    /does not match its manifest/,
  );
  await Deno.remove(root, { recursive: true });
});
