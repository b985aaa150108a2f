// ml/minhash.ts — MinHash signatures and LSH band keys: which articles tell the same story.
//
// Written by hand: signatures are stored per article and compared with those of articles
// stored months earlier, so the hash family must never change under us (an npm MinHash
// whose seeds or hashing changed in a minor release would split every story in two). The
// whole method is a few lines with a documented formula.

import { normalizeNewsText } from "./normalize.ts";
import { termTokens } from "./terms.ts";

/** Hash functions per signature (the Jaccard estimate's resolution is 1/60). */
export const SIGNATURE_LENGTH = 60;
/**
 * LSH bands of the signature's first `BANDS × ROWS` positions: each article stores `BANDS`
 * keys (one index row each, the main cost grouping adds to ingestion).
 */
export const BANDS = 12;
export const ROWS = 2;
/** Words of the body, after the title, that a signature reads: the lead says what happened. */
export const LEAD_WORDS = 40;
/**
 * Each title word enters the set this many times (as `w`, `^w`, `^^w`, ...). Wire feeds
 * attach one boilerplate lead to unrelated headlines ("With the economy slowly turning up,
 * upgrading hardware has been on businesses radar..." under a smartphone, a rocket and a
 * chip story): counted once, the eleven shared lead words outweighed four different title
 * words and grouped them (estimated similarity 0.7); five times, 0.39. The same event
 * reported with other words in the lead still groups when the headlines agree. On the
 * bundled data, 30 random stories of 3 or more read by hand: 24 right with the title once,
 * 27 with it three times, 28 with it five times (`deno task bench stories`).
 */
export const TITLE_WEIGHT = 5;
/**
 * Estimated Jaccard similarity of the word sets at or above which two articles are one
 * story. With 12 bands of 2 rows, a pair at 0.5 shares a band key 97% of the time (at 0.3,
 * 68%; at 0.1, 11%), so nearly every pair above the threshold is among the candidates,
 * and the signatures then tell them apart.
 */
export const SAME_STORY_JACCARD = 0.5;

/** Near copies are looked for among articles at most this far apart (a wire story reprinted). */
export const NEAR_COPY_WINDOW_MS = 3 * 24 * 3_600_000;

/** FNV-1a, 32 bits, of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finalizer: a bijective 32-bit mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fixed seeds of the hash family (pinned: see the header). */
const SEEDS = Array.from({ length: SIGNATURE_LENGTH }, (_, i) => fmix32(0x9e3779b9 + i));

/**
 * The words a signature is taken over: title (each word `TITLE_WEIGHT` times, marked) and
 * the first `LEAD_WORDS` words of the body, lower-cased, feed escapes decoded
 * (ml/normalize.ts), stopwords and numbers out (ml/terms.ts), as a set.
 */
export function storyWords(title: string, body: string): Set<string> {
  const words = (text: string) => termTokens(normalizeNewsText(text), { bigrams: false });
  const titleWords = words(title);
  // "^" is never part of a term (letters, digits and apostrophes only).
  const marked = titleWords.flatMap((w) =>
    Array.from({ length: TITLE_WEIGHT - 1 }, (_, i) => "^".repeat(i + 1) + w)
  );
  return new Set([...titleWords, ...marked, ...words(body).slice(0, LEAD_WORDS)]);
}

/**
 * MinHash signature of a word set: for each of `SIGNATURE_LENGTH` hash functions
 * h_i(w) = fmix32(fnv1a(w) XOR seed_i), the smallest value over the words. Two sets agree in
 * one position with probability equal to their Jaccard similarity. Null for an empty set.
 */
export function minhashSignature(words: ReadonlySet<string>): Uint32Array | null {
  if (words.size === 0) return null;
  const sig = new Uint32Array(SIGNATURE_LENGTH).fill(0xffffffff);
  for (const w of words) {
    const base = fnv1a(w);
    for (let i = 0; i < SIGNATURE_LENGTH; i++) {
      const h = fmix32(base ^ SEEDS[i]);
      if (h < sig[i]) sig[i] = h;
    }
  }
  return sig;
}

/** The share of positions where two signatures agree: an estimate of their Jaccard similarity. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_LENGTH;
}

/**
 * LSH band keys: one per band of `ROWS` positions, a 52-bit integer (exact in a double and
 * in a PostgreSQL bigint) from the band's index and values. Articles sharing a key are
 * candidates for one story.
 */
export function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let hi = fmix32(0x27d4eb2f ^ b);
    let lo = fmix32(0x165667b1 ^ b);
    for (let r = 0; r < ROWS; r++) {
      const v = sig[b * ROWS + r];
      hi = fmix32(hi ^ v);
      lo = fmix32(Math.imul(lo, 31) ^ v);
    }
    keys.push((hi & 0xfffff) * 0x100000000 + lo);
  }
  return keys;
}

/** A signature as stored (base64 of its little-endian bytes). */
export function encodeSignature(sig: Uint32Array): string {
  const bytes = new Uint8Array(sig.length * 4);
  sig.forEach((v, i) => new DataView(bytes.buffer).setUint32(i * 4, v, true));
  return btoa(String.fromCharCode(...bytes));
}

/** A stored signature back, or null when it is not one of the right length. */
export function decodeSignature(text: string): Uint32Array | null {
  let raw: string;
  try {
    raw = atob(text);
  } catch {
    return null;
  }
  if (raw.length !== SIGNATURE_LENGTH * 4) return null;
  // Plain loops: a batch's candidates are thousands of signatures (Array.from with a
  // callback per byte took a tenth of ingestion's time).
  const sig = new Uint32Array(SIGNATURE_LENGTH);
  for (let i = 0, j = 0; i < SIGNATURE_LENGTH; i++, j += 4) {
    sig[i] = (raw.charCodeAt(j) | (raw.charCodeAt(j + 1) << 8) | (raw.charCodeAt(j + 2) << 16) |
      (raw.charCodeAt(j + 3) << 24)) >>> 0;
  }
  return sig;
}
