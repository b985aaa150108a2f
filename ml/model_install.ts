// Puts model directories restored from a backup into MODEL_DIR: compares a staged copy with
// what is installed under the same version, and moves it into place with one rename.

import { join } from "node:path";
import { ModelDirError, verifyModelDir } from "./model_dir.ts";

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
export async function installModelDir(
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
