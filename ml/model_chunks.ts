// A model directory as a stream of chunks, and back: the form the model store keeps. Any
// directory whose manifest.json lists its files with their sha256 is one — manifest.json
// plus every file it lists, whatever they are — read in chunks of fixed size. Rebuilt
// through a temporary folder: each file hashed as it is written and checked against the
// manifest the registry holds, the whole verified, then renamed into place, so a corrupt
// or partial copy never appears where models are loaded from.

import { createHash } from "node:crypto";
import { isAbsolute, join, normalize } from "node:path";
import { type Manifest, manifestSchema, ModelDirError, verifyModelDir } from "./model_dir.ts";

/** Bytes per stored chunk: large enough for few rows, small enough to never strain memory. */
export const MODEL_CHUNK_BYTES = 1 << 20;

/** One chunk of one file of a model directory. */
export interface ModelChunk {
  path: string;
  chunkNo: number;
  bytes: Uint8Array;
}

/**
 * The files that make up a model directory: `manifest.json` first, then every file the
 * manifest lists, in name order. Throws a {@link ModelDirError} for a path that would
 * leave the directory.
 */
export function modelFilePaths(manifest: Pick<Manifest, "version" | "files">): string[] {
  const paths = Object.keys(manifest.files).sort();
  for (const path of paths) {
    const norm = normalize(path);
    if (isAbsolute(path) || norm.startsWith("..") || norm !== path || path === "manifest.json") {
      throw new ModelDirError(path, `model ${manifest.version} lists a bad file path: ${path}`);
    }
  }
  return ["manifest.json", ...paths];
}

/** Reads every file of the model directory `dir` (see {@link modelFilePaths}) in chunks. */
export async function* readModelChunks(
  dir: string,
  manifest: Pick<Manifest, "version" | "files">,
  chunkBytes = MODEL_CHUNK_BYTES,
): AsyncGenerator<ModelChunk> {
  for (const path of modelFilePaths(manifest)) {
    using file = await Deno.open(join(dir, path), { read: true });
    for (let chunkNo = 0;; chunkNo++) {
      const buf = new Uint8Array(chunkBytes);
      let filled = 0;
      while (filled < chunkBytes) {
        const n = await file.read(buf.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      // An empty file is still one (empty) chunk, so it is stored too.
      if (filled === 0 && chunkNo > 0) break;
      yield { path, chunkNo, bytes: buf.subarray(0, filled) };
      if (filled < chunkBytes) break;
    }
  }
}

/**
 * Writes the model `expected` describes (the registry's copy of its manifest) to
 * `root/<version>` from `source`, which yields each file's chunks in order. Every file's
 * sha256 must match `expected`, and the stored manifest.json must list the same files;
 * otherwise a {@link ModelDirError} says which file, and nothing is left in `root`. A
 * copy of the same model already in place (written meanwhile by another process) is kept.
 * Returns the model's directory.
 */
export async function unpackModelChunks(
  root: string,
  expected: unknown,
  source: (path: string) => AsyncIterable<Uint8Array>,
): Promise<string> {
  const parsed = manifestSchema.safeParse(expected);
  if (!parsed.success) {
    throw new ModelDirError(root, "the registry holds no valid manifest for this model");
  }
  const manifest = parsed.data;
  const target = join(root, manifest.version);
  await Deno.mkdir(root, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: root, prefix: ".fetch-" });
  try {
    for (const path of modelFilePaths(manifest)) {
      const to = join(staging, path);
      await Deno.mkdir(join(to, ".."), { recursive: true });
      const hash = createHash("sha256");
      const kept = path === "manifest.json" ? [] as Uint8Array[] : null;
      {
        using file = await Deno.open(to, { write: true, createNew: true });
        for await (const chunk of source(path)) {
          hash.update(chunk);
          kept?.push(chunk);
          for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
        }
      }
      if (kept) checkStoredManifest(manifest, await new Blob(kept as BlobPart[]).text());
      else if (hash.digest("hex") !== manifest.files[path]) {
        throw new ModelDirError(
          path,
          `stored file ${path} of model ${manifest.version} does not match its manifest (sha256)`,
        );
      }
    }
    // The copy is what will serve: check it as any model directory is checked.
    await verifyModelDir(staging);
    try {
      await Deno.rename(staging, target);
    } catch (err) {
      const other = await verifyModelDir(target).catch(() => null);
      if (!other || JSON.stringify(other.files) !== JSON.stringify(manifest.files)) throw err;
    }
    return target;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

/** The stored manifest.json must be the registry's: same version, same files and sha256s. */
function checkStoredManifest(manifest: Manifest, text: string): void {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    stored = null;
  }
  const s = manifestSchema.safeParse(stored);
  const same = s.success && s.data.version === manifest.version &&
    JSON.stringify(Object.entries(s.data.files).sort()) ===
      JSON.stringify(Object.entries(manifest.files).sort());
  if (!same) {
    throw new ModelDirError(
      "manifest.json",
      `stored manifest.json of model ${manifest.version} does not match the registry's`,
    );
  }
}
