// Moves a model between machines as one .tar.gz: bundleModel() packs a verified model
// directory, importBundle() unpacks one within fixed bounds (bytes, entries, name length),
// accepts only the files its manifest lists with the sha256 it gives, and only then installs
// it as <modelsRoot>/<version>.

import { createTarDecoder, packTar, type TarEntry } from "modern-tar";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { type Manifest, manifestSchema, ModelDirError, verifyModelDir } from "./model_dir.ts";

/** An archive that cannot be imported (unreadable, unsafe entry, version already present). */
export class BundleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BundleError";
  }
}

/**
 * Writes `dir` (manifest.json and every file it lists) to `outFile` as a gzip-compressed tar.
 * The directory is verified first, so a tampered model is never bundled. Returns the manifest.
 */
export async function bundleModel(dir: string, outFile: string): Promise<Manifest> {
  const manifest = await verifyModelDir(dir);
  // A fixed mtime makes the archive a function of the model alone.
  const mtime = new Date(manifest.createdAt);
  const names = ["manifest.json", ...Object.keys(manifest.files).sort()];
  const entries: TarEntry[] = [];
  for (const name of names) {
    const data = await Deno.readFile(join(dir, name));
    entries.push({ header: { name, size: data.byteLength, mtime, mode: 0o644 }, body: data });
  }
  const tar = await packTar(entries);
  await Deno.writeFile(outFile, gzipSync(tar));
  return manifest;
}

/** Entry names must be plain relative paths: no absolute paths, no "..", no backslashes. */
function checkEntryName(name: string, file: string): string {
  const clean = name.replace(/^\.\//, "").replace(/\/$/, "");
  const parts = clean.split("/");
  if (
    clean === "" || name.startsWith("/") || name.includes("\\") || name.includes("\0") ||
    /^[a-zA-Z]:/.test(name) || parts.some((p) => p === ".." || p === "")
  ) {
    throw new BundleError(`Bundle ${file} has an unsafe entry "${name}"; refusing to import it.`);
  }
  return clean;
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Bounds on what an imported bundle may unpack to. */
export interface ImportLimits {
  /** Most bytes the archive may decompress to, tar headers included. */
  maxBytes?: number;
  /** Most entries (files and folders). */
  maxEntries?: number;
  /** Longest entry name, in characters. */
  maxNameLength?: number;
}

/**
 * Defaults for {@link ImportLimits}: a model of ours is about 11 MB and five files, a large
 * Hugging Face one a few hundred MB; 2 GiB leaves room and still stops a gzip bomb.
 */
export const IMPORT_LIMITS: Required<ImportLimits> = {
  maxBytes: 2 * 1024 ** 3,
  maxEntries: 256,
  maxNameLength: 255,
};

/** manifest.json is read into memory whole, so it gets a small bound of its own. */
const MAX_MANIFEST_BYTES = 1 << 20;

/**
 * Imports a bundle: streams it through gunzip and the tar reader, counting the bytes it
 * unpacks to, and refuses it (throws a {@link BundleError}) past `limits`, on an unsafe,
 * duplicate or non-file entry, a file the manifest does not list or whose sha256 differs, or
 * a version that is already installed. manifest.json must come first (as {@link bundleModel}
 * writes it), so everything is checked against it as it arrives. Files go to a temporary
 * directory under `modelsRoot`, which is renamed to `<modelsRoot>/<version>` only once the
 * whole model verifies, and removed otherwise: a refused import leaves nothing behind.
 */
export async function importBundle(
  file: string,
  modelsRoot: string,
  limits: ImportLimits = {},
): Promise<Manifest> {
  const { maxBytes, maxEntries, maxNameLength } = { ...IMPORT_LIMITS, ...limits };
  const refuse = (why: string) => new BundleError(`Bundle ${file} ${why}; refusing to import it.`);
  const tooBig = () => refuse(`unpacks to more than ${maxBytes} bytes`);
  const unreadable = (e: unknown) =>
    e instanceof BundleError ? e : new BundleError(
      `Bundle ${file} is not a readable .tar.gz: ${(e as Error).message}`,
      { cause: e },
    );

  let unpacked = 0;
  const input = await Deno.open(file);
  const entries = input.readable
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          unpacked += chunk.byteLength;
          if (unpacked > maxBytes) controller.error(tooBig());
          else controller.enqueue(chunk);
        },
      }),
    )
    .pipeThrough(createTarDecoder({ strict: true }));
  const reader = entries.getReader();
  const next = () => reader.read().catch((e) => Promise.reject(unreadable(e)));

  let manifest: Manifest | undefined;
  let staging: string | undefined;
  const seen = new Set<string>();
  try {
    for (let count = 1;; count++) {
      const { done, value: entry } = await next();
      if (done) break;
      if (count > maxEntries) throw refuse(`has more than ${maxEntries} entries`);
      const { header } = entry;
      if (header.name.length > maxNameLength) {
        throw refuse(`has an entry name longer than ${maxNameLength} characters`);
      }
      const name = checkEntryName(header.name, file);
      const type = header.type ?? "file";
      if (type === "directory") {
        await entry.body.cancel();
        continue;
      }
      if (type !== "file") {
        throw new BundleError(
          `Bundle ${file} has a ${type} entry "${name}"; only files are allowed.`,
        );
      }
      if (seen.has(name)) throw refuse(`has "${name}" twice`);
      seen.add(name);
      if (header.size > maxBytes - unpacked) throw tooBig();
      if (!manifest) {
        if (name !== "manifest.json") throw refuse(`must start with manifest.json, not "${name}"`);
        if (header.size > MAX_MANIFEST_BYTES) {
          throw refuse(`has a manifest.json over ${MAX_MANIFEST_BYTES} bytes`);
        }
        const bytes = await readAll(entry.body).catch((e) => Promise.reject(unreadable(e)));
        manifest = await checkManifest(bytes, file, modelsRoot);
        staging = await Deno.makeTempDir({ dir: modelsRoot, prefix: ".import-" });
        await Deno.writeFile(join(staging, name), bytes);
        continue;
      }
      if (!Object.hasOwn(manifest.files, name)) {
        throw refuse(`has "${name}", which its manifest does not list`);
      }
      const digest = await writeEntry(entry.body, join(staging!, name), unreadable);
      if (digest !== manifest.files[name]) {
        throw new BundleError(
          `Bundle ${file} failed verification: file ${name} does not match its manifest (sha256).`,
        );
      }
    }
    if (!manifest || !staging) throw refuse("holds no manifest.json");
    try {
      await verifyModelDir(staging);
    } catch (e) {
      if (e instanceof ModelDirError) {
        throw new BundleError(
          `Bundle ${file} failed verification: ${e.message.replaceAll(staging, "<bundle>")}`,
          { cause: e },
        );
      }
      throw e;
    }
    const target = join(modelsRoot, manifest.version);
    await assertAbsent(target, manifest.version);
    await Deno.rename(staging, target);
    return manifest;
  } catch (e) {
    if (staging) await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw e;
  } finally {
    await reader.cancel().catch(() => {});
    try {
      input.close();
    } catch {
      // Already closed when the stream ran to its end.
    }
  }
}

/** Parses and checks a bundle's manifest.json; refuses a version that is already installed. */
async function checkManifest(bytes: Uint8Array, file: string, modelsRoot: string) {
  let parsed;
  try {
    parsed = manifestSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (e) {
    throw new BundleError(`Bundle ${file} has a manifest.json that is not valid JSON.`, {
      cause: e,
    });
  }
  if (!parsed.success) {
    throw new BundleError(`Bundle ${file} has an invalid manifest.json: ${parsed.error.message}`);
  }
  const manifest = parsed.data;
  if (!VERSION_RE.test(manifest.version)) {
    throw new BundleError(
      `Bundle ${file} has version "${manifest.version}", which is not a safe directory name.`,
    );
  }
  await Deno.mkdir(modelsRoot, { recursive: true });
  await assertAbsent(join(modelsRoot, manifest.version), manifest.version);
  return manifest;
}

async function assertAbsent(target: string, version: string): Promise<void> {
  try {
    await Deno.lstat(target);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new BundleError(`Model version ${version} already exists at ${target}.`);
}

/** Reads a (small, already bounded) entry body whole. */
async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/**
 * Streams an entry to a new file (never over an existing one), hashing it on the way;
 * returns its hex sha256. Errors reading the archive become `unreadable(error)`.
 */
export async function writeEntry(
  body: ReadableStream<Uint8Array>,
  path: string,
  unreadable: (e: unknown) => Error,
): Promise<string> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const out = await Deno.open(path, { write: true, createNew: true });
  const hash = createHash("sha256");
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read().catch((e) => Promise.reject(unreadable(e)));
      if (done) break;
      hash.update(value);
      for (let at = 0; at < value.byteLength;) at += await out.write(value.subarray(at));
    }
  } finally {
    out.close();
  }
  return hash.digest("hex");
}
