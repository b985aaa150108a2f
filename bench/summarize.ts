// deno-lint-ignore-file no-console
// bench/summarize.ts — ROUGE of the extractive summarizer against the BBC reference summaries,
// summarizer speed, and language-detection throughput.
//
//   deno run --allow-all bench/summarize.ts
//
// The BBC articles here exclude every number divisible by 5 (the maintainers' held-back
// test split). The summarizer weights were tuned on the odd-numbered articles ("tuning");
// the even-numbered ones ("evaluation") are the honest estimate. Every summary, ours and
// the lead baseline, gets a budget of the reference summary's length in words.

import { createLanguageDetector } from "../ml/language.ts";
import { evaluateSummaries, type MeanRouge, type SummaryPair } from "../ml/rouge.ts";
import { countWords } from "../ml/sentences.ts";
import { summarize } from "../ml/summarize.ts";

const BBC_DIR = new URL("../data/bbc/", import.meta.url);
const TOPICS = ["business", "entertainment", "politics", "sport", "tech"];

/** One BBC article with its reference summary and its number within its topic. */
interface BbcItem extends SummaryPair {
  id: string;
  num: number;
  title: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Decodes UTF-8, falling back to Latin-1 (articles/sport/199.txt is Latin-1). */
function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

async function loadBbc(): Promise<BbcItem[]> {
  const items: BbcItem[] = [];
  for (const topic of TOPICS) {
    const dir = new URL(`articles/${topic}/`, BBC_DIR);
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".txt")) names.push(e.name);
    }
    names.sort();
    for (const name of names) {
      const raw = decode(await Deno.readFile(new URL(name, dir)));
      const reference = decode(await Deno.readFile(new URL(`summaries/${topic}/${name}`, BBC_DIR)));
      const newline = raw.indexOf("\n");
      items.push({
        id: `${topic}/${name}`,
        num: parseInt(name, 10),
        title: raw.slice(0, newline).trim(),
        article: raw.slice(newline + 1).trim(),
        reference: reference.trim(),
      });
    }
  }
  return items;
}

/** ROUGE F1 (×100) of ours and the baselines on one half, with ours/baseline ratios. */
export interface SplitFigures {
  articles: number;
  ours: MeanRouge;
  lead: MeanRouge;
  lead3: MeanRouge;
  article: MeanRouge;
}

/** Everything the benchmark measures. */
export interface SummarizeBenchFigures {
  /** Even-numbered articles: not used for tuning. */
  evaluation: SplitFigures;
  /** Odd-numbered articles: used to pick the summarizer weights. */
  tuning: SplitFigures;
  speed: { articles: number; meanWords: number; meanMs: number; articlesPerSecond: number };
  language: {
    texts: number;
    meanChars: number;
    textsPerSecond: number;
    englishShare: number;
    loadMs: number;
  };
}

function percent(m: MeanRouge): MeanRouge {
  const r = (x: number) => Math.round(x * 1000) / 10;
  return { rouge1: r(m.rouge1), rouge2: r(m.rouge2), rougeL: r(m.rougeL) };
}

function scoreSplit(items: BbcItem[]): SplitFigures {
  const e = evaluateSummaries(items, (input) => summarize(input));
  return {
    articles: e.count,
    ours: percent(e.ours),
    lead: percent(e.lead),
    lead3: percent(e.lead3),
    article: percent(e.article),
  };
}

function measureSpeed(items: BbcItem[]): SummarizeBenchFigures["speed"] {
  // ~400-word articles, summarized to the default three sentences and to 40% of the words.
  const sample = items.filter((x) => {
    const w = countWords(x.article);
    return w >= 350 && w <= 450;
  });
  for (const x of sample.slice(0, 50)) summarize({ text: x.article, title: x.title }); // warm-up
  const rounds = 5;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const x of sample) {
      summarize({ text: x.article, title: x.title, ratio: r % 2 === 0 ? 0.4 : undefined });
    }
  }
  const ms = (performance.now() - start) / (rounds * sample.length);
  const meanWords = sample.reduce((a, x) => a + countWords(x.article), 0) / sample.length;
  return {
    articles: sample.length,
    meanWords: Math.round(meanWords),
    meanMs: Math.round(ms * 1000) / 1000,
    articlesPerSecond: Math.round(1000 / ms),
  };
}

async function measureLanguage(items: BbcItem[]): Promise<SummarizeBenchFigures["language"]> {
  const t0 = performance.now();
  const detector = await createLanguageDetector();
  const loadMs = performance.now() - t0;
  const texts = items.map((x) => `${x.title}\n\n${x.article}`);
  for (const t of texts.slice(0, 50)) detector.detect(t); // warm-up
  let english = 0;
  const start = performance.now();
  for (const t of texts) if (detector.detect(t).language === "en") english++;
  const seconds = (performance.now() - start) / 1000;
  return {
    texts: texts.length,
    meanChars: Math.round(texts.reduce((a, t) => a + t.length, 0) / texts.length),
    textsPerSecond: Math.round(texts.length / seconds),
    englishShare: Math.round((english / texts.length) * 10000) / 100,
    loadMs: Math.round(loadMs),
  };
}

function row(name: string, m: MeanRouge, lead?: MeanRouge): string {
  const cells = [m.rouge1, m.rouge2, m.rougeL].map((v) => v.toFixed(1).padStart(6));
  const ratio = lead
    ? `   ×lead ${(m.rouge1 / lead.rouge1).toFixed(3)} / ${(m.rouge2 / lead.rouge2).toFixed(3)}`
    : "";
  return `  ${name.padEnd(22)}${cells.join("")}${ratio}`;
}

function printSplit(label: string, s: SplitFigures): void {
  console.log(`\n${label} (${s.articles} articles)      R-1   R-2   R-L   (F1 × 100)`);
  console.log(row("ours (extractive)", s.ours, s.lead));
  console.log(row("lead to budget", s.lead));
  console.log(row("Lead-3", s.lead3));
  console.log(row("whole article", s.article));
}

/** Runs the benchmark, prints a report and returns the figures. */
export async function main(): Promise<SummarizeBenchFigures> {
  const items = await loadBbc();
  const evaluation = scoreSplit(items.filter((x) => x.num % 2 === 0));
  const tuning = scoreSplit(items.filter((x) => x.num % 2 === 1));
  const speed = measureSpeed(items);
  const language = await measureLanguage(items);

  console.log("BBC News summaries: budget = reference length in words");
  printSplit("evaluation: even-numbered", evaluation);
  printSplit("tuning: odd-numbered", tuning);
  console.log(
    `\nsummarize(): ${speed.meanMs} ms per article (${speed.articlesPerSecond} articles/s, ` +
      `one core), ${speed.articles} articles of ~${speed.meanWords} words`,
  );
  console.log(
    `language detection: ${language.textsPerSecond} texts/s (${language.texts} BBC articles, ` +
      `~${language.meanChars} chars), ${language.englishShare}% detected "en", ` +
      `model load ${language.loadMs} ms`,
  );
  return { evaluation, tuning, speed, language };
}

if (import.meta.main) {
  await main();
}
