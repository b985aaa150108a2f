import assert from "node:assert/strict";
import { join } from "node:path";
import { findModelDir, installModelDir } from "./install_model.ts";
import { ModelDirError, verifyModelDir } from "./model_dir.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";
import { writeModelDir } from "./model_dir.ts";

/** Writes a toy model as `dir/<version>` and returns its folder. */
async function toyModel(dir: string, version: string, seed = 1): Promise<string> {
  const model = await trainTextClassifier(toyCorpus(200, 7), {
    buckets: 1 << 10,
    epochs: 3,
    validationFraction: 0.2,
    seed,
  });
  const out = join(dir, version);
  await writeModelDir(out, model, {
    name: "toy",
    version,
    trainingData: { sha256: "0".repeat(64), size: 200 },
  });
  return out;
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("installModelDir() copies a verified model into place and keeps an identical copy", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-install-" });
  try {
    const source = await toyModel(join(root, "baked"), "v1");
    const models = join(root, "models");
    const manifest = await installModelDir(source, models);
    assert.equal(manifest.version, "v1");
    assert.deepEqual(await names(models), ["v1"], "no staging folder left");
    assert.deepEqual(await verifyModelDir(join(models, "v1")), manifest);
    // Installed already (another replica sharing the folder): verified and kept.
    assert.deepEqual(await installModelDir(source, models), manifest);
    assert.deepEqual(await names(models), ["v1"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("installModelDir() refuses a tampered source and a different model under the same version", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-install-" });
  try {
    const models = join(root, "models");
    const tampered = await toyModel(join(root, "a"), "v1");
    await Deno.writeTextFile(join(tampered, "config.json"), "{}");
    await assert.rejects(() => installModelDir(tampered, models), ModelDirError);
    await assert.rejects(() => Deno.stat(models), Deno.errors.NotFound);

    await installModelDir(await toyModel(join(root, "b"), "v2", 1), models);
    const other = await toyModel(join(root, "c"), "v2", 2);
    await assert.rejects(
      () => installModelDir(other, models),
      /holds a different model of version v2/,
    );
    assert.deepEqual(await names(models), ["v2"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findModelDir() takes a model folder or the one model of a train --out folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "newsintel-install-" });
  try {
    const out = join(root, "out");
    const model = await toyModel(out, "v1");
    await Deno.mkdir(join(out, ".tmp-leftover"));
    assert.equal(await findModelDir(model), model);
    assert.equal(await findModelDir(out), model);
    await Deno.writeTextFile(join(root, "file"), "");
    await assert.rejects(() => findModelDir(join(root, "file")), /is not a directory/);
    await toyModel(out, "v2");
    await assert.rejects(() => findModelDir(out), /holds 2 models \(v1, v2\)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
