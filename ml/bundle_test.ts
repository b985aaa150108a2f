import assert from "node:assert/strict";
import { packTar, type TarEntry, unpackTar } from "modern-tar";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { BundleError, bundleModel, importBundle } from "./bundle.ts";
import { type Manifest, sha256, verifyModelDir, writeModelDir } from "./model_dir.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
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

/** Rewrites a bundle's entries (manifest.json first, as bundleModel writes it). */
async function rewrite(
  file: string,
  change: (entries: TarEntry[], manifest: Manifest) => TarEntry[],
): Promise<void> {
  const entries = (await unpackTar(gunzipSync(await Deno.readFile(file)))).map((e) => ({
    header: e.header,
    body: e.data ?? new Uint8Array(),
  }));
  const manifest = JSON.parse(new TextDecoder().decode(entries[0].body as Uint8Array));
  const changed = change(entries.slice(1), manifest);
  const text = new TextEncoder().encode(JSON.stringify(manifest));
  const head = { header: { ...entries[0].header, size: text.byteLength }, body: text };
  await Deno.writeFile(file, gzipSync(await packTar([head, ...changed])));
}

/** Asserts `models` holds nothing: no model, no staging directory. */
async function assertNothingWritten(models: string) {
  assert.deepEqual(await listDir(models), []);
}

Deno.test("importBundle() refuses a gzip bomb before it fills the disk", async () => {
  const { root, file, models } = await setup();
  // 24 MiB of zeros gzip to about 25 KB; the manifest even vouches for them.
  const zeros = new Uint8Array(24 << 20);
  await rewrite(file, (entries, manifest) => {
    manifest.files["onnx/model.onnx"] = sha256(zeros);
    return entries.map((e) =>
      e.header.name === "onnx/model.onnx"
        ? { header: { ...e.header, size: zeros.byteLength }, body: zeros }
        : e
    );
  });
  assert.ok((await Deno.stat(file)).size < 1 << 20);
  await assert.rejects(
    () => importBundle(file, models, { maxBytes: 4 << 20 }),
    (e) => e instanceof BundleError && /unpacks to more than 4194304 bytes/.test(e.message),
  );
  await assertNothingWritten(models);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() counts unpacked bytes as they stream, whatever the entries say", async () => {
  const root = await Deno.makeTempDir({ prefix: "bundle_test_" });
  const file = join(root, "pax.tar.gz");
  // A PAX extended header is read whole before any entry is seen: 16 MiB of it.
  const body = new Uint8Array(16 << 20).fill(65);
  const tar = await packTar([{
    header: { name: "PaxHeader", size: body.byteLength, type: "pax-header" },
    body,
  }]);
  await Deno.writeFile(file, gzipSync(tar));
  await assert.rejects(
    () => importBundle(file, join(root, "models"), { maxBytes: 2 << 20 }),
    (e) => e instanceof BundleError && /unpacks to more than 2097152 bytes/.test(e.message),
  );
  assert.deepEqual(await listDir(root), ["pax.tar.gz"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses a file its manifest does not list", async () => {
  const { root, file, models } = await setup();
  await rewrite(file, (entries) => [
    ...entries,
    { header: { name: "extra.sh", size: 2 }, body: new TextEncoder().encode("hi") },
  ]);
  await assert.rejects(
    () => importBundle(file, models),
    (e) =>
      e instanceof BundleError && /"extra\.sh", which its manifest does not list/.test(e.message),
  );
  await assertNothingWritten(models);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses duplicate entries, links and a manifest that is not first", async () => {
  const { root, file, models } = await setup();
  const good = await Deno.readFile(file);
  const cases: [string, (entries: TarEntry[]) => TarEntry[], RegExp][] = [
    ["duplicate", (entries) => [...entries, entries[0]], /has "[^"]+" twice/],
    [
      "symlink",
      (
        entries,
      ) => [
        { header: { name: "link", size: 0, type: "symlink", linkname: "/etc/passwd" } },
        ...entries,
      ],
      /symlink entry "link"/,
    ],
    [
      "hard link",
      (
        entries,
      ) => [
        { header: { name: "hard", size: 0, type: "link", linkname: "config.json" } },
        ...entries,
      ],
      /link entry "hard"/,
    ],
  ];
  for (const [what, change, message] of cases) {
    await Deno.writeFile(file, good);
    await rewrite(file, change);
    await assert.rejects(
      () => importBundle(file, models),
      (e) => e instanceof BundleError && message.test(e.message),
      what,
    );
    await assertNothingWritten(models);
  }
  // manifest.json after another file.
  const entries = await unpackTar(gunzipSync(good));
  const swapped = [entries[1], entries[0], ...entries.slice(2)].map((e) => ({
    header: e.header,
    body: e.data,
  }));
  await Deno.writeFile(file, gzipSync(await packTar(swapped)));
  await assert.rejects(
    () => importBundle(file, models),
    (e) => e instanceof BundleError && /must start with manifest\.json/.test(e.message),
  );
  await assertNothingWritten(models);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() caps the number of entries and the length of names", async () => {
  const { root, file, models } = await setup();
  await assert.rejects(
    () => importBundle(file, models, { maxEntries: 3 }),
    (e) => e instanceof BundleError && /more than 3 entries/.test(e.message),
  );
  await assertNothingWritten(models);
  await rewrite(file, (entries) => [
    { header: { name: `${"a/".repeat(200)}x`, size: 1 }, body: new TextEncoder().encode("x") },
    ...entries,
  ]);
  await assert.rejects(
    () => importBundle(file, models),
    (e) => e instanceof BundleError && /name longer than 255/.test(e.message),
  );
  await assertNothingWritten(models);
  await Deno.remove(root, { recursive: true });
});

Deno.test("importBundle() refuses a version already installed before writing anything", async () => {
  const { root, file, models } = await setup();
  await Deno.mkdir(join(models, "3.1"), { recursive: true });
  await assert.rejects(() => importBundle(file, models), /Model version 3\.1 already exists/);
  assert.deepEqual(await listDir(models), ["3.1"]);
  assert.deepEqual(await listDir(join(models, "3.1")), []);
  await Deno.remove(root, { recursive: true });
});
