/**
 * Model store SQL: the files of registered models' directories, kept in the database in
 * numbered chunks (`model_files`), written one chunk per statement and read back one
 * chunk per statement, so no query ever holds a whole model in memory. The bytes travel as
 * base64 text: PGlite converts a bytea parameter or result byte by byte in JavaScript
 * (0.6 s and 0.3 s per MB), base64 costs it 0.05 s and 0.015 s; on PostgreSQL the store and
 * fetch times of bench/model_store.ts stay within their run-to-run noise.
 */
import { Buffer } from "node:buffer";
import type { Queryable } from "./mod.ts";

/** One stored chunk of one file of a model. */
export interface ModelFileChunk {
  version: string;
  /** The file's path inside the model directory, e.g. `onnx/model.onnx`. */
  path: string;
  chunkNo: number;
  bytes: Uint8Array;
}

/** Where a stored file's chunks are: their numbers in order and their sizes. */
export interface StoredFile {
  path: string;
  chunks: { chunkNo: number; size: number }[];
}

/** Stores one chunk; storing the same chunk again changes nothing. */
export async function insertModelFileChunk(q: Queryable, c: ModelFileChunk): Promise<void> {
  await q.query(
    `INSERT INTO model_files (version, path, chunk_no, bytes) VALUES ($1, $2, $3, decode($4, 'base64'))
     ON CONFLICT (version, path, chunk_no) DO NOTHING`,
    [c.version, c.path, c.chunkNo, base64(c.bytes)],
  );
}

/** True when some file of `version` is stored. */
export async function hasStoredModel(q: Queryable, version: string): Promise<boolean> {
  const [row] = await q.query<{ stored: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM model_files WHERE version = $1) AS stored",
    [version],
  );
  return row?.stored === true;
}

/** The versions with stored files, in name order. */
export async function storedModelVersions(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ version: string }>(
    "SELECT DISTINCT version FROM model_files ORDER BY version",
  );
  return rows.map((r) => r.version);
}

/** The stored files of `version` with their chunks, paths in name order (none: not stored). */
export async function storedModelFiles(q: Queryable, version: string): Promise<StoredFile[]> {
  const rows = await q.query<{ path: string; chunk_no: number; size: number }>(
    `SELECT path, chunk_no, octet_length(bytes) AS size FROM model_files
      WHERE version = $1 ORDER BY path, chunk_no`,
    [version],
  );
  const files: StoredFile[] = [];
  for (const r of rows) {
    if (files.at(-1)?.path !== r.path) files.push({ path: r.path, chunks: [] });
    files.at(-1)!.chunks.push({ chunkNo: r.chunk_no, size: Number(r.size) });
  }
  return files;
}

/** One stored chunk's bytes, or null when it is not there. */
export async function readModelFileChunk(
  q: Queryable,
  version: string,
  chunk: { path: string; chunkNo: number },
): Promise<Uint8Array | null> {
  const [row] = await q.query<{ bytes: string }>(
    `SELECT encode(bytes, 'base64') AS bytes FROM model_files
      WHERE version = $1 AND path = $2 AND chunk_no = $3`,
    [version, chunk.path, chunk.chunkNo],
  );
  return row ? new Uint8Array(Buffer.from(row.bytes, "base64")) : null;
}

/** Bytes stored for models in all (the chunks' payload, not the table's overhead). */
export async function storedModelBytes(q: Queryable): Promise<number> {
  const [row] = await q.query<{ bytes: string | number | null }>(
    "SELECT sum(octet_length(bytes)) AS bytes FROM model_files",
  );
  return Number(row?.bytes ?? 0);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
