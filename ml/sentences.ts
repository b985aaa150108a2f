// ml/sentences.ts — sentence splitting and word tokenizing for English news text.
//
// Written by hand: `Intl.Segmenter` (ICU, checked in Deno 2.9) splits after every
// "Mr.", "Dr.", "J." and "No." and never splits the BBC data's missing-space joins
// ("$10.9bn.For the full-year"); the npm sentence splitters we looked at either need
// a trained Punkt model or carry their own abbreviation lists with the same gaps. The
// rules below are small, deterministic and tested on exactly those news cases.
//
// Every function here is linear in its input (the bounded-work rule of lib/bounds.ts): one
// forward pass over the text, and at each full stop a look back of at most MAX_WORD_BEFORE
// characters and ahead of at most 48, so text such as "A.A.A.…" costs no more per character
// than prose.

/** Abbreviations that (almost) never end a sentence: a title or a unit before a name or number. */
const NON_FINAL_ABBREVIATIONS = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "st",
  "mt",
  "ft",
  "gen",
  "sen",
  "rep",
  "gov",
  "lt",
  "col",
  "capt",
  "cpt",
  "sgt",
  "rev",
  "hon",
  "pres",
  "supt",
  "insp",
  "det",
  "messrs",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
  "no",
  "nos",
  "vol",
  "fig",
  "vs",
  "v",
  "approx",
  "est",
  "cf",
  "op",
  "pp",
]);

/** Abbreviations that may end a sentence ("... bought by Acme Inc."). */
const FINAL_ABBREVIATIONS = new Set([
  "inc",
  "ltd",
  "co",
  "corp",
  "plc",
  "llc",
  "bros",
  "jr",
  "sr",
  "etc",
  "al",
  "dept",
  "univ",
  "assn",
  "eg",
  "ie",
]);

/**
 * Words that usually start a sentence: after a "final" abbreviation ("U.S.", "Inc.") we
 * only split when the next word is one of these (Punkt's orthographic heuristic, simplified).
 */
const SENTENCE_STARTERS = new Set([
  "a",
  "an",
  "the",
  "he",
  "she",
  "it",
  "they",
  "we",
  "i",
  "you",
  "this",
  "that",
  "these",
  "those",
  "there",
  "but",
  "and",
  "so",
  "yet",
  "however",
  "in",
  "on",
  "at",
  "for",
  "if",
  "when",
  "while",
  "after",
  "before",
  "his",
  "her",
  "its",
  "their",
  "our",
  "my",
  "some",
  "many",
  "most",
  "both",
  "as",
  "meanwhile",
  "also",
  "now",
  "then",
  "what",
  "why",
  "how",
  "who",
  "last",
  "earlier",
  "analysts",
  "officials",
]);

// Closing quotes and brackets that may follow the terminal punctuation.
const CLOSERS = `"'”’)]»`;
// Opening quotes and brackets that may start the next sentence.
const OPENERS = `"'“‘([«`;

function isUpper(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

function isLower(ch: string): boolean {
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

/**
 * Longest word the splitter looks back over before a full stop. Abbreviations and runs of
 * initials are far shorter, so a longer word is an ordinary one; stopping here keeps each full
 * stop's cost constant, where an unbounded look back made a run of "A." without spaces cost
 * the square of its length.
 */
export const MAX_WORD_BEFORE = 64;

/** A character of the word before a full stop: letters, digits, inner dots, "&", "'", "-". */
const WORD_BEFORE_CHAR = /[\p{L}\p{N}.&'-]/u;
// How far back a missing-space join ("$10.9bn.For") looks for the word before the dot.
const JOIN_LOOKBACK = 40;

/**
 * The word (letters, digits and inner dots) that ends just before position `dot` in `text`,
 * or `null` when it is longer than `MAX_WORD_BEFORE` characters. Reads at most
 * `MAX_WORD_BEFORE + 1` characters of `text`.
 *
 * @example
 * ```ts
 * wordBefore("He moved to the U.S. The", 19); // => "U.S"
 * ```
 */
export function wordBefore(text: string, dot: number): string | null {
  const stop = Math.max(0, dot - MAX_WORD_BEFORE);
  let i = dot;
  while (i > stop && WORD_BEFORE_CHAR.test(text[i - 1])) i--;
  if (i === stop && stop > 0 && WORD_BEFORE_CHAR.test(text[stop - 1])) return null;
  return text.slice(i, dot);
}

/**
 * Length (in UTF-16 units) of the run of letters and digits ending just before `dot`, counted
 * up to `max`; a letter outside the BMP ("𝐀") counts as the two units it takes.
 */
function alnumRunBefore(text: string, dot: number, max: number): number {
  let i = dot;
  while (i > 0 && dot - i < max) {
    const low = text.charCodeAt(i - 1);
    const width = low >= 0xdc00 && low <= 0xdfff && i > 1 ? 2 : 1;
    if (!/^[\p{L}\p{N}]$/u.test(text.slice(i - width, i))) break;
    i -= width;
  }
  return dot - i;
}

// How far ahead the word after a full stop is read: a few openers, then up to 40 characters.
const MAX_OPENERS = 8;
const WORD_AHEAD = 40;

/** The first word starting at `pos` (after optional openers), read from at most 48 characters. */
function wordAt(text: string, pos: number): string {
  let i = pos;
  while (i < text.length && i - pos < MAX_OPENERS && OPENERS.includes(text[i])) i++;
  const m = /^[\p{L}\p{N}']+/u.exec(text.slice(i, i + WORD_AHEAD));
  return m ? m[0] : "";
}

/**
 * Decides whether a full stop at `dot` (already known to be followed by whitespace and then
 * `next`, or by `next` directly when `spaced` is false) ends a sentence.
 */
function fullStopEnds(text: string, dot: number, nextPos: number, spaced: boolean): boolean {
  const next = text[nextPos] ?? "";
  const nextWord = wordAt(text, nextPos);
  const nextStartsLower = nextWord !== "" && isLower(nextWord[0]);
  if (nextStartsLower) return false;
  if (!spaced) {
    // Missing-space join ("$10.9bn.For"): only when a real word (not an initial like "U.S")
    // ends before the dot and a capitalised word follows.
    if (!isUpper(next) || nextWord.length < 2 || !isLower(nextWord[1])) return false;
    if (dot > 0 && `%)"'”’`.includes(text[dot - 1])) return true; // "rose 5%.The"
    const run = alnumRunBefore(text, dot, JOIN_LOOKBACK);
    // "U.S.The", "e.g.The": a one-letter run before the dot is an initial, not a word.
    if (run < 2) return false;
    const lowerLast = text.slice(dot - run, dot).toLowerCase();
    return !NON_FINAL_ABBREVIATIONS.has(lowerLast) && !FINAL_ABBREVIATIONS.has(lowerLast);
  }
  const prevWord = wordBefore(text, dot);
  // A word longer than any abbreviation or run of initials ends its sentence like any word.
  if (prevWord === null) return true;
  const bare = prevWord.replace(/^['-]+/, "");
  const lowerBare = bare.toLowerCase().replace(/\./g, "");
  if (NON_FINAL_ABBREVIATIONS.has(lowerBare)) {
    return false;
  }
  const isInitials = /^(\p{Lu}\.)*\p{Lu}$/u.test(bare); // "J", "U.S", "U.K"
  if (FINAL_ABBREVIATIONS.has(lowerBare) || isInitials || /^(\p{L}\.)+\p{L}$/u.test(bare)) {
    return SENTENCE_STARTERS.has(nextWord.toLowerCase());
  }
  return true;
}

/**
 * Splits one paragraph (no blank lines inside) into sentences.
 */
function splitParagraph(paragraph: string): string[] {
  const text = paragraph.replace(/\s+/g, " ").trim();
  if (text === "") return [];
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "." && ch !== "!" && ch !== "?" && ch !== "…") continue;
    // Extend over a run of terminal punctuation ("?!", "...") and closing quotes/brackets.
    let end = i + 1;
    while (end < text.length && ".!?…".includes(text[end])) end++;
    while (end < text.length && CLOSERS.includes(text[end])) end++;
    if (end >= text.length) break;
    const spaced = text[end] === " ";
    const nextPos = spaced ? end + 1 : end;
    const next = text[nextPos] ?? "";
    let ends: boolean;
    if (!spaced && end > i + 1) {
      // '... he said."The next': one terminal mark, closing quotes, then a capitalised word.
      const run = text.slice(i + 1, end);
      const word = wordAt(text, end);
      ends = [...run].every((c) => CLOSERS.includes(c)) && word.length > 1 &&
        isUpper(word[0]) && isLower(word[1]);
    } else if (!spaced && !isUpper(next)) {
      ends = false; // decimals (3.5%), domains (bbc.co.uk), "Yahoo!s"
    } else if (
      spaced && !isUpper(next) && !isDigit(next) && !OPENERS.includes(next) && next !== "£" &&
      next !== "$" && next !== "€"
    ) {
      ends = false;
    } else if (ch === "." && end === i + 1 || ch === "." && CLOSERS.includes(text[i + 1] ?? "")) {
      ends = fullStopEnds(text, i, nextPos, spaced);
    } else if (ch === "." || ch === "…") {
      // Ellipsis: ends only before a capitalised word that is not obviously a name continuation.
      ends = isUpper(text[nextPos + (OPENERS.includes(next) ? 1 : 0)] ?? "");
    } else {
      // "!" or "?": a following lowercase word was already excluded.
      ends = true;
    }
    if (ends) {
      out.push(text.slice(start, end).trim());
      start = nextPos;
      i = nextPos - 1;
    } else {
      i = end - 1;
    }
  }
  const rest = text.slice(start).trim();
  if (rest !== "") out.push(rest);
  return out;
}

/**
 * Splits news text into sentences.
 *
 * Paragraph breaks (blank lines, and single newlines) always end a sentence. Inside a
 * paragraph a sentence ends at `.`, `!`, `?` or an ellipsis (plus any closing quotes or
 * brackets) followed by a capitalised word, a digit, a currency sign or an opening quote.
 * Titles and month/number abbreviations ("Mr.", "Dr.", "St.", "Jan.", "No.") never end a
 * sentence; initials and company abbreviations ("J.", "U.S.", "Inc.") end one only when a
 * typical sentence-starting word follows. Decimals and amounts ("3.5%", "$10.9bn") are
 * kept whole, and a missing space after a full stop between words ("$10.9bn.For the") is
 * treated as a boundary, as in the BBC summaries.
 *
 * @example
 * ```ts
 * splitSentences("Mr. Smith paid $10.9bn.For the year it rose 3.5%. Shares fell.");
 * // ["Mr. Smith paid $10.9bn.", "For the year it rose 3.5%.", "Shares fell."]
 * ```
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n|\r/)) {
    for (const s of splitParagraph(paragraph)) out.push(s);
  }
  return out;
}

/**
 * Splits text into paragraphs (separated by one or more blank lines, or single newlines
 * when the text has no blank lines), each with its sentences. Empty paragraphs are dropped.
 */
export function splitParagraphs(text: string): string[][] {
  const blocks = /\n\s*\n/.test(text) ? text.split(/\n\s*\n/) : text.split(/\r?\n|\r/);
  // Every run of white space becomes one space (splitParagraph() collapses them anyway), so
  // the newlines inside a block join its lines; `/\s*\n\s*/` would backtrack quadratically
  // over a long run of spaces without a newline.
  return blocks.map((b) => splitSentences(b.replace(/\s+/g, " "))).filter((p) => p.length > 0);
}

/**
 * Lower-cased word tokens: maximal runs of Unicode letters and digits, the tokenization of
 * ROUGE ("$10.9bn" → ["10", "9bn"], "AOL's" → ["aol", "s"]).
 */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Number of whitespace-separated words, the unit of every summary budget. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === "" ? 0 : t.split(/\s+/).length;
}
