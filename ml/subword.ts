// Sub-word features of the topic model: hashed character n-grams of each token (fastText-style,
// so rare words share weights with their relatives: "acquisitions" with "acquisition") and the
// WordPiece piece inventory that lets the served tokenizer split unseen words into known pieces
// whose n-grams carry the same weights. The n-gram weights are folded into the token rows of
// the exported model, so the graph never sees n-grams.

import { CONTINUATION_PREFIX, MAX_WORD_CHARS } from "./tokenizer.ts";

/** Which character n-grams a token has (see `Hyperparameters.subwordMinN`). */
export interface SubwordOptions {
  minN: number;
  maxN: number;
  buckets: number;
}

/** FNV-1a over UTF-16 code units: a fixed, fast string hash (the buckets are part of the model). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Distinct hashed character n-grams (bucket ids, ascending) of a vocabulary token. A word is
 * wrapped as `<word>`; an initial WordPiece piece gets only the `<` (its end is unknown), a
 * continuation piece (`##ing`) neither. The n-gram equal to the whole wrapped word is left out:
 * the word feature plays that role.
 *
 * @example
 * ```ts
 * subwordBuckets("cat", { minN: 3, maxN: 3, buckets: 1 << 20 }).length; // => 3 ("<ca" "cat" "at>")
 * ```
 */
export function subwordBuckets(
  token: string,
  options: SubwordOptions,
  kind: "word" | "initial" | "continuation" = "word",
): Int32Array {
  const body = kind === "continuation" ? token.slice(CONTINUATION_PREFIX.length) : token;
  const wrapped = kind === "word" ? `<${body}>` : kind === "initial" ? `<${body}` : body;
  const chars = [...wrapped];
  const ids = new Set<number>();
  for (let n = options.minN; n <= options.maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      if (n === chars.length && kind === "word") continue;
      ids.add(fnv1a(chars.slice(i, i + n).join("")) % options.buckets);
    }
  }
  return Int32Array.from(ids).sort();
}

/**
 * WordPiece pieces for `words`: every initial piece (prefix) and continuation piece
 * (`##` + inner substring) of at most `maxLength` characters that occurs in at least `minWords`
 * of the words, plus every single character (both kinds) so that any word made of known
 * characters can be split. Sorted, and without the words themselves.
 */
export function pieceInventory(
  words: Iterable<string>,
  options: { minWords: number; maxLength: number },
): string[] {
  return new PieceCounter(options.maxLength).inventory(words, options.minWords);
}

/**
 * {@link pieceInventory} for many word lists that share most of their words (the folds of
 * cross-fitting): each word's pieces are listed once, as ids, and every later inventory only
 * counts them. Listing the pieces (strings hashed into sets) was a tenth of a fit.
 */
export class PieceCounter {
  readonly #ids = new Map<string, number>();
  readonly #pieces: string[] = [];
  /** Whether a piece (by id) is a single character, initial or continuation. */
  readonly #single: boolean[] = [];
  readonly #ofWord = new Map<string, Int32Array>();
  /** The word each piece was last listed for (a piece repeated in a word is listed once). */
  readonly #lastWord: number[] = [];
  constructor(readonly maxLength: number) {}

  inventory(words: Iterable<string>, minWords: number): string[] {
    const known = new Set<string>();
    const lists: Int32Array[] = [];
    for (const word of words) {
      known.add(word);
      lists.push(this.#piecesOf(word));
    }
    const counts = new Int32Array(this.#pieces.length);
    for (const list of lists) for (let i = 0; i < list.length; i++) counts[list[i]]++;
    const out: string[] = [];
    for (let id = 0; id < counts.length; id++) {
      if (counts[id] === 0 || !(counts[id] >= minWords || this.#single[id])) continue;
      if (!known.has(this.#pieces[id])) out.push(this.#pieces[id]);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The distinct pieces of a word, as ids (none for a word too long to split). */
  #piecesOf(word: string): Int32Array {
    let list = this.#ofWord.get(word);
    if (list) return list;
    const chars = [...word];
    const ids: number[] = [];
    const stamp = this.#ofWord.size;
    if (chars.length <= MAX_WORD_CHARS) {
      for (let start = 0; start < chars.length; start++) {
        let piece = start > 0 ? CONTINUATION_PREFIX : "";
        for (let end = start; end < chars.length && end - start < this.maxLength; end++) {
          piece += chars[end];
          let id = this.#ids.get(piece);
          if (id === undefined) {
            id = this.#pieces.length;
            this.#ids.set(piece, id);
            this.#pieces.push(piece);
            const body = piece.startsWith(CONTINUATION_PREFIX) && piece.length > 2
              ? piece.slice(CONTINUATION_PREFIX.length)
              : piece;
            this.#single.push([...body].length === 1);
            this.#lastWord.push(-1);
          }
          if (this.#lastWord[id] !== stamp) (this.#lastWord[id] = stamp), ids.push(id);
        }
      }
    }
    list = Int32Array.from(ids);
    this.#ofWord.set(word, list);
    return list;
  }
}
