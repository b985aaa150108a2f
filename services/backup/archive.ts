/**
 * The backup file: a gzip-compressed tar whose first entry is `backup.json` and whose
 * other entries are exactly the files it lists. Written as a stream to a temporary file
 * renamed into place; read as a stream into a staging folder, each file checked against
 * its listed size and sha256 as it arrives, so a truncated, corrupt or foreign file is
 * refused before anything is restored from it.
 */
import { createTarDecoder, createTarPacker } from "modern-tar";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeEntry } from "../../ml/bundle.ts";
import {
  type BackupManifest,
  backupManifestSchema,
  isBackupFileName,
  MANIFEST_NAME,
} from "./manifest.ts";

/** A file that is not a backup this program can restore, and why. */
export class BackupFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackupFileError";
  }
}

/** backup.json is read into memory whole, so it gets a bound of its own. */
const MAX_MANIFEST_BYTES = 4 << 20;

/** The hex sha256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  const file = await Deno.open(path);
  for await (const chunk of file.readable) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Writes `manifest` and the files it lists (read from `folder`, by their names) to
 * `outFile` as a .tar.gz: into `outFile.tmp-…` first, renamed into place once complete,
 * removed on failure.
 */
export async function writeBackupArchive(
  outFile: string,
  manifest: BackupManifest,
  folder: string,
): Promise<void> {
  const tmp = `${outFile}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const mtime = new Date(manifest.createdAt);
  try {
    const out = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    const { readable, controller } = createTarPacker();
    const written = readable.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
    const add = async (name: string, size: number, body: ReadableStream<Uint8Array>) => {
      await body.pipeTo(controller.add({ name, size, mtime, mode: 0o600, type: "file" }));
    };
    try {
      const json = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
      await add(MANIFEST_NAME, json.byteLength, new Blob([json]).stream());
      for (const [name, { size }] of Object.entries(manifest.files)) {
        await add(name, size, (await Deno.open(join(folder, name))).readable);
      }
      controller.finalize();
    } catch (err) {
      controller.error(err);
      await written.catch(() => {});
      throw err;
    }
    await written;
    await Deno.rename(tmp, outFile);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Unpacks the backup `file` into `folder` (an empty staging folder) and returns its
 * manifest, once every listed file arrived with its size and sha256. Throws
 * {@link BackupFileError} for anything else: not gzip, not tar, truncated, a first entry
 * other than backup.json, an entry it does not list or lists twice, a mismatch.
 */
export async function readBackupArchive(file: string, folder: string): Promise<BackupManifest> {
  const refuse = (why: string) => new BackupFileError(`${file} ${why}; nothing was restored`);
  const unreadable = (err: unknown) =>
    err instanceof BackupFileError
      ? err
      : refuse(`is not a readable backup (.tar.gz): ${(err as Error).message}`);
  const input = await Deno.open(file);
  const reader = input.readable
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(createTarDecoder({ strict: true }))
    .getReader();
  const next = () => reader.read().catch((err) => Promise.reject(unreadable(err)));
  try {
    const first = await next();
    if (first.done) throw refuse("is empty");
    if (first.value.header.name !== MANIFEST_NAME) {
      await first.value.body.cancel();
      throw refuse(
        `is not a newsintel backup: it starts with "${first.value.header.name}", ` +
          `not ${MANIFEST_NAME}` +
          (first.value.header.name === "manifest.json"
            ? " (a model bundle? use: newsintel models import)"
            : ""),
      );
    }
    if (first.value.header.size > MAX_MANIFEST_BYTES) throw refuse("has an oversized manifest");
    const manifest = parseManifest(await readAll(first.value.body, unreadable), refuse);
    const seen = new Set<string>();
    while (true) {
      const { done, value: entry } = await next();
      if (done) break;
      const name = entry.header.name;
      const listed = isBackupFileName(name) && Object.hasOwn(manifest.files, name)
        ? manifest.files[name]
        : undefined;
      if (!listed || seen.has(name) || (entry.header.type ?? "file") !== "file") {
        await entry.body.cancel();
        throw refuse(`holds "${name.slice(0, 200)}", which its manifest does not list (once)`);
      }
      seen.add(name);
      if (entry.header.size !== listed.size) throw refuse(`has ${name} of the wrong size`);
      const digest = await writeEntry(entry.body, join(folder, name), unreadable);
      if (digest !== listed.sha256) {
        throw refuse(`is corrupt: ${name} does not match its sha256 in ${MANIFEST_NAME}`);
      }
    }
    const missing = Object.keys(manifest.files).filter((name) => !seen.has(name));
    if (missing.length) throw refuse(`is incomplete: ${missing.join(", ")} missing`);
    return manifest;
  } finally {
    await reader.cancel().catch(() => {});
    try {
      input.close();
    } catch {
      // Already closed when the stream ran to its end.
    }
  }
}

function parseManifest(bytes: Uint8Array, refuse: (why: string) => Error): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw refuse(`has a ${MANIFEST_NAME} that is not JSON`);
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refuse(
      `has an invalid ${MANIFEST_NAME} (${issue.path.join(".") || "root"}: ${issue.message})`,
    );
  }
  return parsed.data;
}

async function readAll(body: ReadableStream<Uint8Array>, unreadable: (e: unknown) => Error) {
  try {
    return new Uint8Array(await new Response(body).arrayBuffer());
  } catch (err) {
    throw unreadable(err);
  }
}
