// Putting model directories into MODEL_DIR, never half-copied where the registry looks:
// - a model directory built elsewhere (the one a container image carries from its build):
//   verified against its manifest before and after the copy, copied through a temporary
//   folder renamed into place, so a crash or a tampered source leaves nothing behind
//   (`findModelDir`, `installModelDir`);
// - a model directory restored from a backup and staged beside MODEL_DIR: compared with
//   what is installed under the same version, then moved into place with one rename
//   (`compareInstalledModel`, `moveStagedModelDir`).

import { join } from "node:path";
import { hasManifest, type Manifest, ModelDirError, verifyModelDir } from "./model_dir.ts";

/**
 * The model directory `path` names: `path` itself when it holds a manifest.json, else the
 * one model directory inside it (what `newsintel train --out DIR` writes: `DIR/<version>`;
 * folders starting with `.` are ignored). Throws a {@link ModelDirError} for none or several.
 */
export async function findModelDir(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ModelDirError(path, `Model directory ${path} does not exist.`);
    }
    throw e;
  }
  if (!info.isDirectory) throw new ModelDirError(path, `Model path ${path} is not a directory.`);
  if (await hasManifest(path)) return path;
  const found: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    if (await hasManifest(join(path, entry.name))) found.push(entry.name);
  }
  if (found.length === 1) return join(path, found[0]);
  throw new ModelDirError(
    path,
    found.length === 0
      ? `${path} holds no model (no manifest.json in it or in a folder of it).`
      : `${path} holds ${found.length} models (${found.sort().join(", ")}); name one of them.`,
  );
}

/**
 * Copies the verified model directory `source` to `modelsRoot/<version>` and returns its
 * manifest. A model of that version already there is verified and kept (another replica
 * sharing the folder may have installed it first); one that does not match the source's
 * manifest is refused.
 */
export async function installModelDir(source: string, modelsRoot: string): Promise<Manifest> {
  const manifest = await verifyModelDir(source);
  const target = join(modelsRoot, manifest.version);
  if (await exists(target)) return await sameModel(target, manifest);
  await Deno.mkdir(modelsRoot, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: modelsRoot, prefix: ".install-" });
  try {
    for (const file of ["manifest.json", ...Object.keys(manifest.files)]) {
      const to = join(staging, file);
      await Deno.mkdir(join(to, ".."), { recursive: true });
      await Deno.copyFile(join(source, file), to);
    }
    // The copy is what will serve: check it, not only the source it came from.
    await verifyModelDir(staging);
    try {
      await Deno.rename(staging, target);
    } catch (e) {
      // Installed by someone else meanwhile: theirs stays if it is the same model.
      if (!(await exists(target))) throw e;
      return await sameModel(target, manifest);
    }
    return manifest;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/** Verifies the installed `dir` and checks it holds exactly the files of `expected`. */
async function sameModel(dir: string, expected: Manifest): Promise<Manifest> {
  const installed = await verifyModelDir(dir);
  const a = JSON.stringify(Object.entries(installed.files).sort());
  const b = JSON.stringify(Object.entries(expected.files).sort());
  if (a !== b) {
    throw new ModelDirError(
      dir,
      `${dir} holds a different model of version ${expected.version}; move it away to install this one.`,
    );
  }
  return installed;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * How the installed `<root>/<version>` compares with a verified staged copy: `absent`,
 * `same` (it verifies and lists the same files with the same sha256), or `different`
 * (other files, or missing pieces or tampered with, with why).
 */
export async function compareInstalledModel(
  staged: string,
  root: string,
  version: string,
): Promise<{ kind: "absent" } | { kind: "same" } | { kind: "different"; why: string }> {
  const target = join(root, version);
  try {
    await Deno.lstat(target);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kind: "absent" };
    throw err;
  }
  const wanted = await verifyModelDir(staged);
  let installed;
  try {
    installed = await verifyModelDir(target);
  } catch (err) {
    if (err instanceof ModelDirError) return { kind: "different", why: err.message };
    throw err;
  }
  const a = Object.entries(wanted.files).sort();
  const b = Object.entries(installed.files).sort();
  return JSON.stringify(a) === JSON.stringify(b)
    ? { kind: "same" }
    : { kind: "different", why: `${target} holds other files than the backup's` };
}

/**
 * Moves the staged directory to `<root>/<version>` (same file system: one rename).
 * With `replace`, an installed copy is set aside first and removed after.
 */
export async function moveStagedModelDir(
  staged: string,
  root: string,
  version: string,
  options: { replace?: boolean } = {},
): Promise<void> {
  const target = join(root, version);
  if (options.replace) {
    const aside = join(root, `.replaced-${version}-${crypto.randomUUID().slice(0, 8)}`);
    let moved = false;
    try {
      await Deno.rename(target, aside);
      moved = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    await Deno.rename(staged, target);
    if (moved) await Deno.remove(aside, { recursive: true });
    return;
  }
  await Deno.rename(staged, target);
}
