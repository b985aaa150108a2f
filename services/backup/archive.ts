/**
 * The backup file: a gzip-compressed tar whose first entry is `backup.json`, then, when
 * written with `BACKUP_KEY`, its signature `backup.json.sig`, then exactly the files the
 * manifest lists. Written as a stream to a temporary file renamed into place; read as a
 * stream into a staging folder — the signature checked before any file is unpacked, every
 * unpacked byte counted against a cap, each file checked against its listed size and
 * sha256 as it arrives — so a tampered, truncated, corrupt, oversized or foreign file is
 * refused before anything is restored from it.
 */
import { createTarDecoder, createTarPacker } from "modern-tar";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeEntry } from "../../ml/bundle.ts";
import { capBytes, unpackLimit, UnpackLimitError } from "./limits.ts";
import { MAX_SIGNATURE_BYTES, SIGNATURE_NAME, signManifest, verifyManifest } from "./signature.ts";
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
  options: { key?: string } = {},
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
      if (options.key) {
        const signature = new TextEncoder().encode(signManifest(json, options.key));
        await add(SIGNATURE_NAME, signature.byteLength, new Blob([signature]).stream());
      }
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

/** Whether a backup's signature was checked: against `BACKUP_KEY`, or not at all. */
export type SignatureCheck = "verified" | "unsigned" | "notChecked";

/** What {@link readBackupArchive} needs beyond the file. */
export interface ReadBackupOptions {
  /** `BACKUP_KEY`: the backup must be signed with it. Unset: a signature is not checked. */
  key?: string;
  /** `BACKUP_MAX_BYTES`: most bytes the archive may unpack to (see services/backup/limits.ts). */
  maxBytes?: number;
}

/** Unpacked size allowed when no maximum is given. */
const DEFAULT_MAX_BYTES = 8 * 2 ** 30;

/** Room for tar headers and padding beyond the listed files' own bytes. */
const TAR_OVERHEAD_BYTES = 1 << 20;

/**
 * Unpacks the backup `file` into `folder` (an empty staging folder) and returns its
 * manifest and what its signature check found, once every listed file arrived with its
 * size and sha256. Throws {@link BackupFileError} for anything else: not gzip, not tar,
 * truncated, a first entry other than backup.json, a missing or wrong signature when
 * `key` is given, files listed or unpacked beyond the cap, an entry it does not list or
 * lists twice, a mismatch.
 */
export async function readBackupArchive(
  file: string,
  folder: string,
  options: ReadBackupOptions = {},
): Promise<{ manifest: BackupManifest; signature: SignatureCheck }> {
  const refuse = (why: string) => new BackupFileError(`${file} ${why}; nothing was restored`);
  const unreadable = (err: unknown) =>
    err instanceof BackupFileError
      ? err
      : err instanceof UnpackLimitError
      ? refuse(err.message)
      : refuse(`is not a readable backup (.tar.gz): ${(err as Error).message}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const { size: packed } = await Deno.stat(file);
  const input = await Deno.open(file);
  const reader = input.readable
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(capBytes(unpackLimit(packed, maxBytes) + TAR_OVERHEAD_BYTES))
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
    const manifestBytes = await readAll(first.value.body, unreadable);
    const manifest = parseManifest(manifestBytes, refuse);
    const listed = Object.values(manifest.files).reduce((sum, f) => sum + f.size, 0);
    if (listed > maxBytes) {
      throw refuse(`lists ${listed} bytes of files, more than BACKUP_MAX_BYTES (${maxBytes})`);
    }
    let entry = await next();
    let signature: SignatureCheck = "unsigned";
    if (!entry.done && entry.value.header.name === SIGNATURE_NAME) {
      if (entry.value.header.size > MAX_SIGNATURE_BYTES) throw refuse("has an oversized signature");
      const text = new TextDecoder().decode(await readAll(entry.value.body, unreadable));
      if (options.key && !verifyManifest(manifestBytes, text, options.key)) {
        throw refuse(
          `has a signature that does not match: it was changed after it was written, or ` +
            "signed with another BACKUP_KEY",
        );
      }
      signature = options.key ? "verified" : "notChecked";
      entry = await next();
    } else if (options.key) {
      throw refuse(`is not signed (no ${SIGNATURE_NAME}), and BACKUP_KEY is set`);
    }
    const seen = new Set<string>();
    for (; !entry.done; entry = await next()) {
      const { value } = entry;
      const name = value.header.name;
      const expected = isBackupFileName(name) && Object.hasOwn(manifest.files, name)
        ? manifest.files[name]
        : undefined;
      if (!expected || seen.has(name) || (value.header.type ?? "file") !== "file") {
        await value.body.cancel();
        throw refuse(`holds "${name.slice(0, 200)}", which its manifest does not list (once)`);
      }
      seen.add(name);
      if (value.header.size !== expected.size) throw refuse(`has ${name} of the wrong size`);
      const digest = await writeEntry(value.body, join(folder, name), unreadable);
      if (digest !== expected.sha256) {
        throw refuse(`is corrupt: ${name} does not match its sha256 in ${MANIFEST_NAME}`);
      }
    }
    const missing = Object.keys(manifest.files).filter((name) => !seen.has(name));
    if (missing.length) throw refuse(`is incomplete: ${missing.join(", ")} missing`);
    return { manifest, signature };
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
