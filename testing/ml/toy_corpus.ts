// A small synthetic labelled corpus for tests and examples: each topic has its own keywords,
// mixed with shared filler words and HTML-ish noise, so a working trainer separates the topics.

import { mulberry32 } from "../../ml/prng.ts";
import type { Example } from "../../ml/train.ts";

const TOPICS: Record<string, string[]> = {
  sport: ["match", "goal", "league", "coach", "season", "striker", "tennis", "olympic", "cup"],
  markets: ["shares", "profit", "stocks", "investors", "earnings", "bank", "dollar", "merger"],
  science: ["nasa", "telescope", "genome", "software", "robot", "physics", "laptop", "internet"],
};
const FILLER = ["the", "a", "on", "said", "tuesday", "new", "after", "report", "year", "its"];
const NOISE = [" #39;s", " quot;", " &lt;b&gt;...&lt;/b&gt;", "\\", "  "];

/** Labels of {@link toyCorpus}, sorted. */
export const TOY_LABELS: string[] = Object.keys(TOPICS).sort();

/** `n` deterministic examples cycling through the toy topics. */
export function toyCorpus(n: number, seed = 7): Example[] {
  const random = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const labels = Object.keys(TOPICS);
  return Array.from({ length: n }, (_, i) => {
    const label = labels[i % labels.length];
    const words: string[] = [];
    const length = 6 + Math.floor(random() * 10);
    for (let w = 0; w < length; w++) {
      words.push(random() < 0.4 ? pick(TOPICS[label]) : pick(FILLER));
      if (random() < 0.1) words.push(pick(NOISE));
    }
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return { text: words.join(" ") + ".", label };
  });
}
