/**
 * Per-article text processing beside classification: the summarizer (the
 * built-in extractive one, or an abstractive model when `SUMMARIZER_MODEL` is
 * set — a model that cannot load is a start-up error, not a silent fallback)
 * and language detection (fastText lid.176, offline).
 */
import { join, resolve } from "node:path";
import { createLanguageDetector, type LanguageGuess } from "../ml/language.ts";
import {
  loadAbstractiveSummarizer,
  summarize as extractive,
  type SummarizeOptions,
  type Summary,
  warmUpSummarizer,
} from "../ml/summarize.ts";
import { type Config, isLocalPath } from "../lib/config.ts";

export type { LanguageGuess, SummarizeOptions, Summary };

export interface TextServices {
  summaryMethod: Summary["method"];
  summarize(options: SummarizeOptions): Promise<Summary>;
  detectLanguage(text: string): LanguageGuess;
}

/** Sentences in a stored article summary. */
export const ARTICLE_SUMMARY_SENTENCES = 3;

/** Loads the language detector and the configured summarizer. */
export async function createTextServices(config: Config): Promise<TextServices> {
  const detector = await createLanguageDetector();
  const detectLanguage = (text: string) => detector.detect(text);
  if (!config.summarizerModel) {
    warmUpSummarizer();
    return {
      summaryMethod: "extractive",
      summarize: (o) => Promise.resolve(extractive(o)),
      detectLanguage,
    };
  }
  const model = config.summarizerModel;
  const abstractive = await loadAbstractiveSummarizer(
    isLocalPath(model) ? { kind: "dir", dir: resolve(model) } : {
      kind: "hub",
      repo: model,
      revision: config.summarizerModelRevision!,
      endpoint: config.hfEndpoint,
      cacheDir: join(config.modelDir, ".hub-cache"),
    },
  );
  return {
    summaryMethod: "abstractive",
    summarize: (o) => abstractive.summarize(o),
    detectLanguage,
  };
}
