// ml/rouge.ts — ROUGE-1/2/L F1 and summary evaluation against reference summaries.
//
// Written by hand: the maintained ROUGE implementations are Python (rouge-score, pyrouge);
// the npm "rouge" packages are unmaintained and tokenize differently. The definitions are
// short: lower-cased alphanumeric tokens (as rouge-score without stemming), clipped n-gram
// overlap for ROUGE-N, longest common subsequence for ROUGE-L, F1 of precision and recall.

import { countWords, splitSentences, wordTokens } from "./sentences.ts";

/** Precision, recall and F1 of one ROUGE measure, each in [0, 1]. */
export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

/** ROUGE-1, ROUGE-2 and ROUGE-L of one candidate against one reference. */
export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
}

function score(overlap: number, candidateTotal: number, referenceTotal: number): RougeScore {
  const precision = candidateTotal === 0 ? 0 : overlap / candidateTotal;
  const recall = referenceTotal === 0 ? 0 : overlap / referenceTotal;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * ROUGE-N: n-gram overlap with clipped counts (an n-gram counts at most as often as it
 * occurs in the reference), precision over the candidate's n-grams, recall over the
 * reference's.
 *
 * @example
 * ```ts
 * rougeN("the cat sat", "the cat ran", 1).f1; // 2/3
 * ```
 */
export function rougeN(candidate: string, reference: string, n: number): RougeScore {
  const c = ngramCounts(wordTokens(candidate), n);
  const r = ngramCounts(wordTokens(reference), n);
  let overlap = 0;
  let cTotal = 0;
  let rTotal = 0;
  for (const v of c.values()) cTotal += v;
  for (const [k, v] of r) {
    rTotal += v;
    overlap += Math.min(v, c.get(k) ?? 0);
  }
  return score(overlap, cTotal, rTotal);
}

/** Length of the longest common subsequence of two token arrays (O(n·m) time, O(m) memory). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ai === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** ROUGE-L over the whole texts (summary-level LCS without sentence splitting). */
export function rougeL(candidate: string, reference: string): RougeScore {
  const c = wordTokens(candidate);
  const r = wordTokens(reference);
  return score(lcsLength(c, r), c.length, r.length);
}

/** ROUGE-1, ROUGE-2 and ROUGE-L of `candidate` against `reference`. */
export function rouge(candidate: string, reference: string): RougeScores {
  return {
    rouge1: rougeN(candidate, reference, 1),
    rouge2: rougeN(candidate, reference, 2),
    rougeL: rougeL(candidate, reference),
  };
}

/**
 * The lead baseline: the article's first sentences, in order, until their word count
 * reaches `maxWords` (the last one may cross it) or `maxSentences` are taken — the same
 * budget semantics as `summarize()`.
 */
export function leadSummary(
  text: string,
  options: { maxWords?: number; maxSentences?: number } = {},
): string {
  const maxWords = options.maxWords ?? Infinity;
  const maxSentences = options.maxSentences ?? Infinity;
  const out: string[] = [];
  let words = 0;
  for (const s of splitSentences(text)) {
    if (out.length >= maxSentences || words >= maxWords) break;
    out.push(s);
    words += countWords(s);
  }
  return out.join(" ");
}

/** One article with its reference summary. */
export interface SummaryPair {
  article: string;
  title?: string;
  reference: string;
}

/** What `evaluateSummaries()` passes to the summarizer under test. */
export interface SummarizerInput {
  text: string;
  title?: string;
  maxWords: number;
}

/** A summarizer under test: returns the summary text (or an object with `summary`). */
export type SummarizerUnderTest = (
  input: SummarizerInput,
) => string | { summary: string };

/** Mean ROUGE F1 (in [0, 1]) over a set of articles. */
export interface MeanRouge {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

/** Mean ROUGE F1 of the summarizer under test and of the baselines. */
export interface SummaryEvaluation {
  count: number;
  /** The summarizer under test, with budget = reference length in words. */
  ours: MeanRouge;
  /** First sentences up to the same word budget. */
  lead: MeanRouge;
  /** The first three sentences, whatever their length. */
  lead3: MeanRouge;
  /** The whole article (recall ceiling, low precision). */
  article: MeanRouge;
}

class RougeAccumulator {
  #r1 = 0;
  #r2 = 0;
  #rl = 0;
  #n = 0;
  add(candidate: string, reference: string): void {
    const s = rouge(candidate, reference);
    this.#r1 += s.rouge1.f1;
    this.#r2 += s.rouge2.f1;
    this.#rl += s.rougeL.f1;
    this.#n++;
  }
  mean(): MeanRouge {
    const n = Math.max(1, this.#n);
    return { rouge1: this.#r1 / n, rouge2: this.#r2 / n, rougeL: this.#rl / n };
  }
}

/**
 * Scores a summarizer and the lead-to-budget, Lead-3 and whole-article baselines on
 * articles with reference summaries. Every summary gets a budget of the reference's length
 * in whitespace-separated words; ROUGE F1 is averaged over the articles (macro mean).
 */
export function evaluateSummaries(
  pairs: readonly SummaryPair[],
  summarizer: SummarizerUnderTest,
): SummaryEvaluation {
  const ours = new RougeAccumulator();
  const lead = new RougeAccumulator();
  const lead3 = new RougeAccumulator();
  const article = new RougeAccumulator();
  for (const p of pairs) {
    const maxWords = countWords(p.reference);
    const out = summarizer({ text: p.article, title: p.title, maxWords });
    ours.add(typeof out === "string" ? out : out.summary, p.reference);
    lead.add(leadSummary(p.article, { maxWords }), p.reference);
    lead3.add(leadSummary(p.article, { maxSentences: 3 }), p.reference);
    article.add(p.article, p.reference);
  }
  return {
    count: pairs.length,
    ours: ours.mean(),
    lead: lead.mean(),
    lead3: lead3.mean(),
    article: article.mean(),
  };
}
