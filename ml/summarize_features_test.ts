import assert from "node:assert/strict";
import { sentenceFeatures } from "./summarize_features.ts";

Deno.test("sentenceFeatures(): cosine similarity of the sentences' TF-IDF vectors, symmetric", () => {
  const sentences = [
    "Rain floods the harbour district.",
    "Rain floods the harbour district!",
    "Markets rally on strong earnings.",
    "Harbour rain worries markets.",
  ];
  const { similarity: sim, centrality } = sentenceFeatures(sentences);
  const n = sentences.length;
  const at = (i: number, j: number) => sim[i * n + j];
  for (let i = 0; i < n; i++) {
    assert.equal(at(i, i), 0);
    for (let j = 0; j < n; j++) assert.equal(at(i, j), at(j, i));
  }
  assert.ok(Math.abs(at(0, 1) - 1) < 1e-12, "the same words: 1");
  assert.equal(at(0, 2), 0, "no word in common: 0");
  assert.ok(at(0, 3) > 0 && at(0, 3) < 1 && at(2, 3) > 0);
  // The sentence linked to one other only, and weakly, is the least central.
  assert.equal(centrality.indexOf(Math.min(...centrality)), 2);
});

Deno.test("sentenceFeatures(): a sentence of stopwords only is similar to nothing", () => {
  const { similarity } = sentenceFeatures(["It is what it is.", "Rain floods the harbour."]);
  assert.deepEqual([...similarity], [0, 0, 0, 0]);
});
