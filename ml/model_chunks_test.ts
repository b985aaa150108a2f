import assert from "node:assert/strict";
import { join } from "node:path";
import { type Manifest, sha256 } from "./model_dir.ts";
import { modelFilePaths, readModelChunks, unpackModelChunks } from "./model_chunks.ts";
import { ModelDirError, verifyModelDir } from "./model_dir.ts";

/** A model directory with the required files, an extra one and a valid manifest. */
async function fakeModelDir(root: string): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(root, "v1");
  const contents: Record<string, Uint8Array> = {
    "config.json": new TextEncoder().encode("{}"),
    "tokenizer.json": new TextEncoder().encode('{"a":1}'),
    "tokenizer_config.json": new TextEncoder().encode("{}"),
    "onnx/model.onnx": crypto.getRandomValues(new Uint8Array(2500)),
    "vectors/extra.bin": new Uint8Array(0),
  };
  const files: Record<string, string> = {};
  for (const [path, bytes] of Object.entries(contents)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeFile(join(dir, path), bytes);
    files[path] = sha256(bytes);
  }
  const manifest: Manifest = {
    name: "fake",
    version: "v1",
    labels: ["a", "b"],
    createdAt: new Date(0).toISOString(),
    trainingData: { sha256: "00", size: 0 },
    hyperparameters: {},
    metrics: null,
    files,
  };
  await Deno.writeTextFile(join(dir, "manifest.json"), JSON.stringify(manifest));
  return { dir, manifest };
}

/** The chunks read, grouped by file, as a `source` for unpackModelChunks(). */
async function chunksByPath(dir: string, manifest: Manifest, size: number) {
  const byPath = new Map<string, Uint8Array[]>();
  for await (const c of readModelChunks(dir, manifest, size)) {
    if (!byPath.has(c.path)) byPath.set(c.path, []);
    assert.equal(c.chunkNo, byPath.get(c.path)!.length);
    byPath.get(c.path)!.push(c.bytes.slice());
  }
  return byPath;
}

Deno.test("readModelChunks() splits every file in fixed chunks, and unpackModelChunks() rebuilds it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dir, manifest } = await fakeModelDir(root);
    const byPath = await chunksByPath(dir, manifest, 1000);
    assert.deepEqual([...byPath.keys()], modelFilePaths(manifest));
    assert.deepEqual(byPath.get("onnx/model.onnx")!.map((c) => c.length), [1000, 1000, 500]);
    assert.deepEqual(byPath.get("vectors/extra.bin")!.map((c) => c.length), [0]);
    const out = join(root, "out");
    const target = await unpackModelChunks(out, manifest, async function* (path) {
      yield* byPath.get(path)!;
    });
    assert.equal(target, join(out, "v1"));
    assert.equal((await verifyModelDir(target)).version, "v1");
    assert.deepEqual(
      await Deno.readFile(join(target, "onnx/model.onnx")),
      await Deno.readFile(join(dir, "onnx/model.onnx")),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("unpackModelChunks() refuses a changed file or manifest and leaves nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dir, manifest } = await fakeModelDir(root);
    const byPath = await chunksByPath(dir, manifest, 1000);
    const out = join(root, "out");
    const flipped = byPath.get("onnx/model.onnx")!.map((c) => c.slice());
    flipped[1][7] ^= 1;
    await assert.rejects(
      () =>
        unpackModelChunks(out, manifest, async function* (path) {
          yield* path === "onnx/model.onnx" ? flipped : byPath.get(path)!;
        }),
      (err: Error) => err instanceof ModelDirError && /onnx\/model\.onnx/.test(err.message),
    );
    const other = new TextEncoder().encode(JSON.stringify({ ...manifest, version: "v2" }));
    await assert.rejects(
      () =>
        unpackModelChunks(out, manifest, async function* (path) {
          yield* path === "manifest.json" ? [other] : byPath.get(path)!;
        }),
      /manifest\.json .* does not match the registry's/,
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(out)), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("modelFilePaths() refuses paths that leave the model directory", () => {
  const bad = { version: "v1", files: { "../secret": "00".repeat(32) } };
  assert.throws(() => modelFilePaths(bad), ModelDirError);
  assert.throws(() => modelFilePaths({ version: "v1", files: { "/etc/passwd": "0" } }));
  assert.throws(() => modelFilePaths({ version: "v1", files: { "a/../../b": "0" } }));
});
