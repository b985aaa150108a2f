// Moves a model between machines as one .tar.gz: bundleModel() packs a verified model
// directory, importBundle() unpacks one, checks every file against the manifest and only then
// installs it as <modelsRoot>/<version>.

import { packTar, type TarEntry, unpackTar } from "modern-tar";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { type Manifest, ModelDirError, verifyModelDir } from "./model_dir.ts";

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

/**
 * Imports a bundle: unpacks it into a temporary directory under `modelsRoot`, verifies every
 * sha256 against the manifest, then moves it to `<modelsRoot>/<version>` and returns the
 * manifest. Refuses (throws, leaving nothing behind) on an unsafe entry, a file that does not
 * match the manifest, or a version that is already installed.
 */
export async function importBundle(file: string, modelsRoot: string): Promise<Manifest> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(await Deno.readFile(file));
  } catch (e) {
    throw new BundleError(`Bundle ${file} is not a readable .tar.gz: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const entries = await unpackTar(tar).catch((e: Error) => {
    throw new BundleError(`Bundle ${file} is not a valid tar archive: ${e.message}`, { cause: e });
  });
  const files: [string, Uint8Array][] = [];
  for (const entry of entries) {
    const name = checkEntryName(entry.header.name, file);
    const type = entry.header.type ?? "file";
    if (type === "directory") continue;
    if (type !== "file") {
      throw new BundleError(
        `Bundle ${file} has a ${type} entry "${name}"; only files are allowed.`,
      );
    }
    files.push([name, entry.data ?? new Uint8Array()]);
  }
  await Deno.mkdir(modelsRoot, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: modelsRoot, prefix: ".import-" });
  try {
    for (const [name, data] of files) {
      const path = join(staging, name);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeFile(path, data);
    }
    let manifest: Manifest;
    try {
      manifest = await verifyModelDir(staging);
    } catch (e) {
      if (e instanceof ModelDirError) {
        throw new BundleError(
          `Bundle ${file} failed verification: ${e.message.replaceAll(staging, "<bundle>")}`,
          { cause: e },
        );
      }
      throw e;
    }
    if (!VERSION_RE.test(manifest.version)) {
      throw new BundleError(
        `Bundle ${file} has version "${manifest.version}", which is not a safe directory name.`,
      );
    }
    const target = join(modelsRoot, manifest.version);
    try {
      await Deno.lstat(target);
      throw new BundleError(`Model version ${manifest.version} already exists at ${target}.`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.rename(staging, target);
    return manifest;
  } catch (e) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw e;
  }
}
