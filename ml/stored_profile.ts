// ml/stored_profile.ts — a story's profile as stored (`stories.profile`) and read back.
//
// Every ingest reads the profiles of up to MAX_CANDIDATES candidate stories, and needs one
// of them whole: the story the article joins. The others are only scored, and many not even
// that (outside their time gap). Building a Map of a 150-term profile's terms costs about
// 70 µs of CPU here, over 1 ms an article for 15 candidates; so a profile read back parses
// its header line at once and its terms on first use, and its lines are kept in term order
// with the terms' norm in the header: an article is scored against the text by merging its
// own sorted terms with the lines, building no string and no map per line (several times
// cheaper than the decoding it replaces). Text written before (lines in weight order, no
// norm) still reads: it is scored from its decoded terms.

import type { ScoringTerms, StoryProfile, TermWeights } from "./story_profile.ts";

/** A term's weight as stored: 5 decimals. */
const round = (w: number) => Math.round(w * 1e5) / 1e5;

/**
 * A profile as stored: a JSON header line (articles, first and last seen, the vector as
 * base64 float32, the terms' norm), then one `term<TAB>weight` line per term in code-unit
 * order of the terms (terms hold no tab or newline).
 */
export function encodeProfile(profile: StoryProfile): string {
  const terms = [...profile.terms].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  let norm = 0;
  const lines = terms.map(([t, w]) => {
    const stored = round(w);
    norm += stored * stored;
    return `${t}\t${stored}`;
  });
  const header = JSON.stringify({
    n: profile.articles,
    f: profile.firstSeen,
    l: profile.lastSeen,
    v: profile.vector ? encodeVector(profile.vector) : null,
    q: Math.sqrt(norm),
  });
  return [header, ...lines].join("\n");
}

/** A stored profile (its terms parsed on first use), or null when the text is not one. */
export function decodeProfile(text: string | null): StoryProfile | null {
  if (!text) return null;
  const end = text.indexOf("\n");
  let header: { n?: unknown; f?: unknown; l?: unknown; v?: unknown; q?: unknown };
  try {
    header = JSON.parse(end < 0 ? text : text.slice(0, end));
  } catch {
    return null;
  }
  const { n, f, l, v, q } = header ?? {};
  if (typeof n !== "number" || typeof f !== "number" || typeof l !== "number") return null;
  return new StoredProfile(text, end < 0 ? text.length : end + 1, {
    articles: n,
    firstSeen: f,
    lastSeen: l,
    vector: typeof v === "string" ? v : null,
    norm: typeof q === "number" && Number.isFinite(q) ? q : null,
  });
}

class StoredProfile implements StoryProfile {
  readonly articles: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly #text: string;
  /** Where its term lines begin. */
  readonly #body: number;
  /** The terms' norm (null: text written before lines were kept in term order). */
  readonly #norm: number | null;
  #vectorText: string | null;
  #vector: Float32Array | null = null;
  #terms: TermWeights | null = null;

  constructor(
    text: string,
    body: number,
    head: {
      articles: number;
      firstSeen: number;
      lastSeen: number;
      vector: string | null;
      norm: number | null;
    },
  ) {
    this.#text = text;
    this.#body = body;
    this.#norm = head.norm;
    this.#vectorText = head.vector;
    this.articles = head.articles;
    this.firstSeen = head.firstSeen;
    this.lastSeen = head.lastSeen;
  }

  get terms(): TermWeights {
    return this.#terms ??= parseTerms(this.#text, this.#body);
  }

  get vector(): Float32Array | null {
    if (this.#vectorText !== null) {
      this.#vector = decodeVector(this.#vectorText);
      this.#vectorText = null;
    }
    return this.#vector;
  }

  termDot(article: ScoringTerms): { dot: number; norm: number } | null {
    if (this.#norm === null) return null;
    return { dot: mergedDot(this.#text, this.#body, article), norm: this.#norm };
  }
}

/** The `term<TAB>weight` lines of `text` from `at` on, as a map. */
function parseTerms(text: string, at: number): TermWeights {
  const terms: TermWeights = new Map();
  while (at < text.length) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const tab = text.indexOf("\t", at);
    if (tab > at && tab < end) {
      const w = Number(text.slice(tab + 1, end));
      if (Number.isFinite(w)) terms.set(text.slice(at, tab), w);
    }
    at = end + 1;
  }
  return terms;
}

/** How the term `text[at, tab)` sorts against `term`: negative before, 0 the same, positive after. */
function compareTerm(text: string, at: number, tab: number, term: string): number {
  const n = Math.min(tab - at, term.length);
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(at + i) - term.charCodeAt(i);
    if (d !== 0) return d;
  }
  return tab - at - term.length;
}

/**
 * Σ weight × article weight over the terms both hold: the lines (in term order from `at`)
 * merged with the article's sorted terms, a weight parsed only where they meet.
 */
function mergedDot(text: string, at: number, article: ScoringTerms): number {
  const { sorted, sortedWeights } = article;
  let dot = 0;
  let k = 0;
  while (at < text.length && k < sorted.length) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const tab = text.indexOf("\t", at);
    if (tab > at && tab < end) {
      let c = compareTerm(text, at, tab, sorted[k]);
      while (c > 0 && ++k < sorted.length) c = compareTerm(text, at, tab, sorted[k]);
      if (c === 0) {
        const w = Number(text.slice(tab + 1, end));
        if (Number.isFinite(w)) dot += w * sortedWeights[k];
        k++;
      }
    }
    at = end + 1;
  }
  return dot;
}

/** A float32 vector as base64. */
export function encodeVector(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** A base64 float32 vector (null when malformed). */
export function decodeVector(text: string): Float32Array | null {
  try {
    const s = atob(text);
    if (s.length % 4 !== 0) return null;
    const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
    return new Float32Array(bytes.buffer);
  } catch {
    return null;
  }
}
