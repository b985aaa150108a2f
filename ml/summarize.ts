// ml/summarize.ts — news summarization: an extractive summarizer built on the article's own
// structure, and an optional abstractive one backed by a transformers.js seq2seq model.
//
// The extractive scoring is hand-written (see summarize_features.ts for why); sentence
// splitting lives in sentences.ts.

import type { ModelSource } from "./classifier.ts";
import { cappedFetch } from "./hub_fetch.ts";
import { countWords, splitSentences } from "./sentences.ts";
import { sentenceFeatures } from "./summarize_features.ts";

/** Options of `summarize()`. */
export interface SummarizeOptions {
  /** The article body. */
  text: string;
  /** The headline; sentences sharing its words rank higher. */
  title?: string;
  /** Stop after this many sentences (integer ≥ 1). */
  maxSentences?: number;
  /** Word budget: stop once the chosen sentences reach this many words (> 0). */
  maxWords?: number;
  /** Word budget as a share of the article's words, in (0, 1]. */
  ratio?: number;
}

/** A summary and the sentences it is made of, in article order. */
export interface Summary {
  summary: string;
  sentences: string[];
  method: "extractive" | "abstractive";
}

/**
 * How the extractive score mixes the features of `summarize_features.ts`, and how strongly
 * redundancy with already chosen sentences is penalised (MMR). Tuned on the odd-numbered
 * BBC articles (bench/summarize.ts); exposed for experiments, not for callers.
 */
export interface ExtractiveWeights {
  centrality: number;
  frequency: number;
  title: number;
  position: number;
  /** Extra weight of the first sentence (the news lead). */
  lead: number;
  /** MMR penalty × the highest cosine similarity to a chosen sentence. */
  redundancy: number;
}

/**
 * The default weights, from a coordinate search on the odd-numbered BBC articles. Centrality
 * carries most of the signal; the position prior is kept small because on these articles
 * a stronger one lowered ROUGE (TextRank centrality already favours the lead), but it still
 * breaks ties toward earlier sentences in short texts.
 */
export const DEFAULT_WEIGHTS: Readonly<ExtractiveWeights> = Object.freeze({
  centrality: 1,
  frequency: 0.1,
  title: 0.2,
  position: 0.05,
  lead: 0,
  redundancy: 0.4,
});

const DEFAULT_MAX_SENTENCES = 3;
const MAX_SCORED = 400;

/**
 * Cosine similarity at which a sentence counts as a repeat of a chosen one and is never
 * chosen: MMR alone lets two copies of a central sentence through, since they make each
 * other central.
 */
const NEAR_DUPLICATE = 0.8;

interface Budget {
  maxWords: number;
  maxSentences: number;
}

function resolveBudget(opts: SummarizeOptions, articleWords: number): Budget {
  const { maxSentences, maxWords, ratio } = opts;
  if (maxSentences !== undefined && !(Number.isInteger(maxSentences) && maxSentences >= 1)) {
    throw new RangeError(`maxSentences must be an integer ≥ 1, got ${maxSentences}.`);
  }
  if (maxWords !== undefined && !(maxWords > 0)) {
    throw new RangeError(`maxWords must be > 0, got ${maxWords}.`);
  }
  if (ratio !== undefined && !(ratio > 0 && ratio <= 1)) {
    throw new RangeError(`ratio must be in (0, 1], got ${ratio}.`);
  }
  let words = Infinity;
  if (maxWords !== undefined) words = maxWords;
  if (ratio !== undefined) words = Math.min(words, Math.max(1, ratio * articleWords));
  const sentences = maxSentences ??
    (maxWords === undefined && ratio === undefined ? DEFAULT_MAX_SENTENCES : Infinity);
  return { maxWords: words, maxSentences: sentences };
}

// Clause punctuation dropped from the last word of a cut text, before its "…".
const DANGLING = ",;:–—-";

/**
 * `word` without its trailing clause punctuation ("rates," → "rates"). A loop, not
 * `/[,;:–—-]+$/`: that regex retries from every position of a long run of commas that does
 * not reach the end, which is quadratic (the bounded-work rule, lib/bounds.ts).
 */
function trimDangling(word: string): string {
  let end = word.length;
  while (end > 0 && DANGLING.includes(word[end - 1])) end--;
  return word.slice(0, end);
}

/** Cuts a text without sentence boundaries to about `maxWords` words. */
function truncateWords(text: string, maxWords: number): string {
  const words = text.trim().split(/\s+/);
  if (words.length <= maxWords) return words.join(" ");
  const cut = words.slice(0, Math.max(1, Math.ceil(maxWords)));
  cut[cut.length - 1] = trimDangling(cut[cut.length - 1]);
  return `${cut.join(" ")}…`;
}

/**
 * Extractive summary of a news article.
 *
 * Each sentence gets an importance score from the article's own structure: TextRank
 * centrality over TF-IDF cosine similarity between sentences, Luhn-style density of the
 * article's recurring words, overlap with the title, and a position prior favouring the
 * lead. Sentences are then chosen greedily by Maximal
 * Marginal Relevance (score minus a penalty for similarity to sentences already chosen);
 * near-duplicates of a chosen sentence (cosine ≥ 0.8) are skipped.
 *
 * Budget: sentences are chosen in order of importance until their word count
 * (whitespace-separated words) reaches `maxWords` — the last one may cross it — or
 * `maxSentences` sentences are chosen. `ratio` in (0, 1] means a word budget of
 * `ratio` × the article's words (with `maxWords` too, the smaller budget wins). With none
 * of the three the budget is 3 sentences. The summary keeps the article's sentence order.
 *
 * Only the first 400 sentences are considered (the similarity graph is quadratic).
 * Text without any sentence boundary is returned whole when it fits the word budget,
 * otherwise cut to the budget's words with a trailing "…". Empty text gives an empty
 * summary.
 *
 * Throws `RangeError` for a budget out of range.
 *
 * @example
 * ```ts
 * const { summary } = summarize({ text: article, title: headline, maxWords: 60 });
 * ```
 */
export function summarize(
  opts: SummarizeOptions,
  weights: Readonly<ExtractiveWeights> = DEFAULT_WEIGHTS,
): Summary {
  const sentences = splitSentences(opts.text);
  const articleWords = countWords(opts.text);
  const budget = resolveBudget(opts, articleWords);
  if (sentences.length === 0) return { summary: "", sentences: [], method: "extractive" };
  if (sentences.length === 1) {
    const only = truncateWords(sentences[0], budget.maxWords);
    return { summary: only, sentences: [only], method: "extractive" };
  }
  // The similarity graph is O(n²): past a (very long) article's first MAX_SCORED sentences
  // the rest is not considered, which keeps the worst case to tens of milliseconds (a loop
  // over user input capped, lib/bounds.ts).
  const candidates = sentences.slice(0, MAX_SCORED);
  const chosen = selectSentences(candidates, { title: opts.title ?? "", budget, weights });
  const picked = chosen.sort((a, b) => a - b).map((i) => candidates[i]);
  return { summary: picked.join(" "), sentences: picked, method: "extractive" };
}

/** A made-up article of 120 sentences, over 16 words in varying company. */
export function warmUpArticle(): string {
  const w = (
    "harbour markets rain election court police storm league season budget minister shares " +
    "rally floods coach union"
  ).split(" ");
  return Array.from(
    { length: 120 },
    (_, i) => `The ${w[i % 16]} and the ${w[(i * 7) % 16]} met ${w[(i * 3) % 16]} on day ${i}.`,
  ).join(" ");
}

/**
 * Summarizes {@link warmUpArticle} three times, so the summarizer's code for long articles is
 * compiled before the first one arrives. Without it, the first 10 KB article after start-up
 * took 57-97 ms (code compiled for headlines), holding the event loop as long, against
 * 8-18 ms after it (bench/ingest_http.ts).
 */
export function warmUpSummarizer(): void {
  const text = warmUpArticle();
  for (let round = 0; round < 3; round++) {
    summarize({ text, title: "Harbour markets", maxSentences: 3 });
  }
}

/** Indices of the chosen sentences, in the order they were chosen. */
function selectSentences(
  sentences: readonly string[],
  options: { title: string; budget: Budget; weights: Readonly<ExtractiveWeights> },
): number[] {
  const { title, budget, weights: w } = options;
  const f = sentenceFeatures(sentences, title);
  const n = sentences.length;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    score[i] = w.centrality * f.centrality[i] + w.frequency * f.frequency[i] +
      w.title * f.title[i] + w.position * f.position[i] +
      (i === 0 ? w.lead : 0);
  }
  const chosen: number[] = [];
  const maxSim = new Float64Array(n);
  const used = new Uint8Array(n);
  let words = 0;
  while (chosen.length < budget.maxSentences && words < budget.maxWords && chosen.length < n) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (used[i] || maxSim[i] >= NEAR_DUPLICATE) continue;
      const value = score[i] - w.redundancy * maxSim[i];
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break; // only near-duplicates of chosen sentences are left
    used[best] = 1;
    chosen.push(best);
    words += f.words[best];
    for (let i = 0; i < n; i++) {
      if (!used[i]) maxSim[i] = Math.max(maxSim[i], f.similarity[i * n + best]);
    }
  }
  return chosen;
}

/** Where an abstractive (seq2seq) summarization model comes from: as for a classifier. */
export type AbstractiveModelSource = ModelSource;

/** A loaded abstractive summarizer. */
export interface AbstractiveSummarizer {
  /**
   * Generates a summary. The budget options mean what they mean for `summarize()`, applied to
   * the generated sentences in their generated order (a seq2seq model ranks nothing), and
   * `maxWords` also caps generation length (≈ 1.5 tokens per word).
   */
  summarize(opts: SummarizeOptions): Promise<Summary>;
}

// The part of a transformers.js summarization pipeline we call.
type SummarizationCall = (
  text: string,
  options: { max_new_tokens: number },
) => Promise<unknown>;

function modelName(source: AbstractiveModelSource): string {
  return source.kind === "dir" ? source.dir : `${source.repo}@${source.revision}`;
}

/**
 * Loads a seq2seq summarization model (BART/T5/Pegasus layout with ONNX weights) through
 * transformers.js' `pipeline("summarization", ...)`, from a local directory or from a
 * Hugging Face hub (pinned `revision`, every file is fetched from that revision; `endpoint`
 * replaces the hub host — transformers.js keeps it in its global `env.remoteHost` — and
 * files are cached under `cacheDir`).
 *
 * A model that cannot be loaded is a start-up error: this throws an `Error` naming the
 * model and the cause (e.g. a missing directory or file).
 *
 * @example
 * ```ts
 * const s = await loadAbstractiveSummarizer({ kind: "dir", dir: "models/distilbart" });
 * const { summary } = await s.summarize({ text: article, maxWords: 60 });
 * ```
 */
export async function loadAbstractiveSummarizer(
  source: AbstractiveModelSource,
): Promise<AbstractiveSummarizer> {
  const name = modelName(source);
  let generate: SummarizationCall;
  try {
    // Imported lazily: the extractive path must not pay for loading onnxruntime.
    const { env, pipeline } = await import("@huggingface/transformers");
    if (source.kind === "dir") {
      const info = await Deno.stat(source.dir).catch((e) => {
        throw new Error(`directory not found (${e instanceof Error ? e.message : e})`);
      });
      if (!info.isDirectory) throw new Error("not a directory");
      // An absolute path: transformers.js would read a relative "models/x" (a valid hub id)
      // from under its own env.localModelPath.
      generate = (await pipeline("summarization", await Deno.realPath(source.dir), {
        local_files_only: true,
      })) as unknown as SummarizationCall;
    } else {
      env.allowRemoteModels = true;
      env.fetch = cappedFetch(source.maxBytes);
      if (source.endpoint) env.remoteHost = source.endpoint.replace(/\/?$/, "/");
      // transformers.js 4.3.1 ignores `revision` in pipeline()'s file pre-check and when
      // listing tokenizer files (both ask for `main`), so the pin is also written into the
      // URL template for the duration of the load; the template is restored afterwards.
      const template = env.remotePathTemplate;
      env.remotePathTemplate = `{model}/resolve/${encodeURIComponent(source.revision)}/`;
      try {
        generate = (await pipeline("summarization", source.repo, {
          revision: source.revision,
          cache_dir: source.cacheDir,
        })) as unknown as SummarizationCall;
      } finally {
        env.remotePathTemplate = template;
      }
    }
  } catch (e) {
    const cause = e instanceof Error ? e.message : String(e);
    throw new Error(`Cannot load summarization model "${name}": ${cause}`, { cause: e });
  }
  return {
    async summarize(opts: SummarizeOptions): Promise<Summary> {
      const budget = resolveBudget(opts, countWords(opts.text));
      if (opts.text.trim() === "") return { summary: "", sentences: [], method: "abstractive" };
      const maxNewTokens = Number.isFinite(budget.maxWords)
        ? Math.ceil(budget.maxWords * 1.5) + 8
        : 256;
      const out = await generate(opts.text, { max_new_tokens: maxNewTokens });
      const first = Array.isArray(out) ? out[0] : out;
      const generated = String((first as { summary_text?: unknown })?.summary_text ?? "");
      const picked: string[] = [];
      let words = 0;
      for (const s of splitSentences(generated)) {
        if (picked.length >= budget.maxSentences || words >= budget.maxWords) break;
        picked.push(s);
        words += countWords(s);
      }
      return { summary: picked.join(" "), sentences: picked, method: "abstractive" };
    },
  };
}
