// ml/terms.ts — the term tokenizer behind trends (and the stopword list the summarizer shares).
//
// Written by hand: trend terms must be stable across releases (they are stored per article
// at ingestion time), so the rules live here, small and pinned, rather than in an NLP
// package whose tokenizer or stopword list could change under us.

/**
 * A small English stopword list: function words, auxiliaries, pronouns and news filler
 * ("said", "says") that would otherwise dominate every count.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because " +
    "been before being below between both but by can can't cannot could couldn't did didn't " +
    "do does doesn't doing don't down during each few for from further had hadn't has hasn't " +
    "have haven't having he he'd he'll he's her here here's hers herself him himself his how " +
    "how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most " +
    "mustn't my myself no nor not of off on once only or other ought our ours ourselves out " +
    "over own same shan't she she'd she'll she's should shouldn't so some such than that " +
    "that's the their theirs them themselves then there there's these they they'd they'll " +
    "they're they've this those through to too under until up very was wasn't we we'd we'll " +
    "we're we've were weren't what what's when when's where where's which while who who's " +
    "whom why why's will with won't would wouldn't you you'd you'll you're you've your yours " +
    "yourself yourselves said says say just like get got one two may might must shall " +
    "s t us yet via per mr mrs ms new"
  ).split(" "),
);

/** Options for `termTokens()` and `termCounts()`. */
export interface TermOptions {
  /** Also count two-word terms ("climate change") of adjacent non-stopwords. Default true. */
  bigrams?: boolean;
  /** Drop single words shorter than this. Default 2. */
  minLength?: number;
  /**
   * Take bigrams from the first this many words of the text only (default: all). Bounds
   * what a long article adds to the statistics: its title and lead say what it is about.
   */
  maxBigramWords?: number;
}

/** Words of an article's title and lead that its two-word phrases come from. */
export const MAX_PHRASE_WORDS = 120;

// A word: letters/digits with inner apostrophes ("don't", "o'neill"); curly quotes folded.
// Each repetition starts with the apostrophe, so the pattern cannot split a run two ways and
// stays linear on any text (the bounded-work rule, lib/bounds.ts).
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/**
 * Lower-cased word terms of `text`, stopwords kept out, in order; `null` marks a break
 * (a stopword, a number or punctuation between words) that a bigram must not cross.
 */
function termStream(text: string, minLength: number): (string | null)[] {
  const normalized = text.toLowerCase().replace(/[’‘`´]/g, "'");
  const out: (string | null)[] = [];
  let last = 0;
  for (const m of normalized.matchAll(WORD)) {
    const gap = normalized.slice(last, m.index);
    // Sentence and clause punctuation between two words breaks a bigram; spaces and hyphens
    // ("long-term") do not.
    if (/[.,;:!?()"[\]/|]/.test(gap)) out.push(null);
    last = m.index + m[0].length;
    // Possessives: "aol's" → "aol", "players'" is already "players".
    let w = m[0].endsWith("'s") ? m[0].slice(0, -2) : m[0];
    w = w.replace(/^'+|'+$/g, "");
    if (w.length < minLength || STOPWORDS.has(w) || /^\p{N}+$/u.test(w)) {
      out.push(null);
    } else {
      out.push(w);
    }
  }
  return out;
}

/**
 * Lower-cased terms of `text`: words of letters and digits (inner apostrophes kept,
 * possessive "'s" dropped), without stopwords, pure numbers or one-letter words, followed
 * by bigrams of adjacent kept words unless `bigrams` is false.
 *
 * @example
 * ```ts
 * termTokens("Climate change: the UK's plan", { bigrams: true });
 * // ["climate", "change", "uk", "plan", "climate change", "uk plan"]
 * ```
 */
export function termTokens(text: string, options: TermOptions = {}): string[] {
  const stream = termStream(text, options.minLength ?? 2);
  const words = stream.filter((w): w is string => w !== null);
  if (options.bigrams === false) return words;
  const bigrams: string[] = [];
  const end = Math.min(stream.length, options.maxBigramWords ?? stream.length);
  for (let i = 1; i < end; i++) {
    const a = stream[i - 1];
    const b = stream[i];
    if (a !== null && b !== null) bigrams.push(`${a} ${b}`);
  }
  return words.concat(bigrams);
}

/**
 * Term counts of one text (see `termTokens()`), the per-article statistics stored at
 * ingestion so that trend queries never re-tokenize the corpus.
 */
export function termCounts(text: string, options: TermOptions = {}): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of termTokens(text, options)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * The terms an article adds to the trend statistics: words of its title and body, and
 * two-word phrases ("north korea") of its first `MAX_PHRASE_WORDS` words. Ingestion counts
 * them, and a reviewed topic moves them. The title ends with a break, so no phrase joins
 * its last word to the body's first.
 */
export function articleTerms(title: string, body: string): Map<string, number> {
  return termCounts(`${title}. ${body}`, { maxBigramWords: MAX_PHRASE_WORDS });
}
