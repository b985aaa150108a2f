// The tokenizer shared by training and serving: a Hugging Face `tokenizer.json` with
// `BertNormalizer` (lowercase), `BertPreTokenizer` (split on whitespace and punctuation) and
// either a `WordLevel` model or, when the vocabulary holds `##` continuation pieces, a
// `WordPiece` model: words of the vocabulary stay whole, other words are split greedily into
// the longest known pieces, so unseen words still carry sub-word signal. Training splits words
// with transformers.js itself so the words it learns weights for are exactly the words the
// served pipeline produces; `wordPieceIds()` replays WordPiece's greedy match (tested against
// transformers.js).

/** Padding token; id 0 in every vocabulary we write. */
export const PAD_TOKEN = "[PAD]";
/** Out-of-vocabulary token; id 1 in every vocabulary we write. */
export const UNK_TOKEN = "[UNK]";
/** Id of {@link PAD_TOKEN}. */
export const PAD_ID = 0;
/** Id of {@link UNK_TOKEN}. */
export const UNK_ID = 1;

/** Prefix of WordPiece continuation pieces (`"##ing"`). */
export const CONTINUATION_PREFIX = "##";
/** Words longer than this (in code points) become `[UNK]`, as in transformers.js' WordPiece. */
export const MAX_WORD_CHARS = 100;

/** A JSON object as written to disk. */
export type JsonObject = Record<string, unknown>;

/**
 * Builds the `tokenizer.json` document for a vocabulary (`vocabulary[id] = token`, with
 * `[PAD]` at 0 and `[UNK]` at 1).
 */
export function tokenizerJson(vocabulary: readonly string[]): JsonObject {
  if (vocabulary[PAD_ID] !== PAD_TOKEN || vocabulary[UNK_ID] !== UNK_TOKEN) {
    throw new Error(`vocabulary must start with ${PAD_TOKEN}, ${UNK_TOKEN}`);
  }
  const vocab: Record<string, number> = {};
  vocabulary.forEach((token, id) => (vocab[token] = id));
  // BertPreTokenizer makes "#" a word of its own, so no word starts with "##" followed by more:
  // such a token can only be a continuation piece, and it selects the WordPiece model.
  const wordPiece = vocabulary.some(isContinuationPiece);
  const model = wordPiece
    ? {
      type: "WordPiece",
      vocab,
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: MAX_WORD_CHARS,
    }
    : { type: "WordLevel", vocab, unk_token: UNK_TOKEN };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    // No added tokens: the special tokens are in the vocabulary already, and matching them in
    // the text costs transformers.js a third of its tokenizing time.
    added_tokens: [],
    // Only lowercasing: normalizeNewsText() already collapsed whitespace, and the other
    // BertNormalizer passes (control-character clean-up, accent stripping, CJK splitting) cost
    // half the tokenizer's time while changing nothing for English news.
    normalizer: {
      type: "BertNormalizer",
      clean_text: false,
      handle_chinese_chars: false,
      strip_accents: false,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: null,
    model,
  };
}

/** Builds `tokenizer_config.json`; `maxLength` bounds the tokens the pipeline keeps per text. */
export function tokenizerConfig(maxLength: number): JsonObject {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    unk_token: UNK_TOKEN,
    pad_token: PAD_TOKEN,
    model_max_length: maxLength,
    padding_side: "right",
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
  };
}

function isContinuationPiece(token: string): boolean {
  return token.length > CONTINUATION_PREFIX.length && token.startsWith(CONTINUATION_PREFIX);
}

/**
 * Appends the ids of one pre-tokenised word to `out` as transformers.js' WordPiece model
 * produces them: the word itself if known, else greedy longest-match pieces (continuations
 * prefixed with `##`), else `[UNK]` when some position matches no piece. With a vocabulary
 * without continuation pieces this is the WordLevel lookup (known word or `[UNK]`).
 */
export function wordPieceIds(
  word: string,
  index: ReadonlyMap<string, number>,
  out: number[],
): void {
  const known = index.get(word);
  if (known !== undefined && word.length <= MAX_WORD_CHARS) {
    out.push(known);
    return;
  }
  const chars = [...word];
  if (chars.length > MAX_WORD_CHARS) {
    out.push(UNK_ID);
    return;
  }
  const start = out.length;
  let i = 0;
  while (i < chars.length) {
    let found: number | undefined;
    let end = chars.length;
    for (; end > i; end--) {
      const piece = chars.slice(i, end).join("");
      found = index.get(i > 0 ? CONTINUATION_PREFIX + piece : piece);
      if (found !== undefined) break;
    }
    if (found === undefined) {
      out.length = start;
      out.push(UNK_ID);
      return;
    }
    out.push(found);
    i = end;
  }
}
