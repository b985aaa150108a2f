// ml/rouge_test.ts — hand-computed ROUGE values and the evaluation helper.

import assert from "node:assert/strict";
import { evaluateSummaries, lcsLength, leadSummary, rouge, rougeL, rougeN } from "./rouge.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

Deno.test("rougeN() computes ROUGE-1 on a hand-checked pair", () => {
  // candidate: the cat sat on the mat (6) ; reference: the cat is on the mat (6)
  // overlap: the×2, cat, on, mat = 5 → P = R = F = 5/6
  const s = rougeN("The cat sat on the mat.", "the cat is on the mat", 1);
  close(s.precision, 5 / 6);
  close(s.recall, 5 / 6);
  close(s.f1, 5 / 6);
});

Deno.test("rougeN() computes ROUGE-2 on a hand-checked pair", () => {
  // bigrams cand: the cat, cat sat, sat on, on the, the mat (5)
  // ref: the cat, cat is, is on, on the, the mat (5); overlap 3 → 3/5
  close(rougeN("the cat sat on the mat", "the cat is on the mat", 2).f1, 3 / 5);
});

Deno.test("rougeN() clips repeated n-grams at their reference count", () => {
  // cand: the the the the (4), ref: the cat (2): overlap min(4,1) = 1 → P 1/4, R 1/2, F 1/3
  const s = rougeN("the the the the", "the cat", 1);
  close(s.precision, 1 / 4);
  close(s.recall, 1 / 2);
  close(s.f1, 1 / 3);
});

Deno.test("rougeL() uses the longest common subsequence", () => {
  // cand: police killed the gunman ; ref: police kill the gunman → LCS 3 (police the gunman)
  assert.equal(lcsLength(["a", "b", "c", "d"], ["a", "c", "b", "d"]), 3);
  close(rougeL("police killed the gunman", "police kill the gunman").f1, 3 / 4);
  // different order: the gunman police killed vs police killed the gunman → LCS 2
  close(rougeL("the gunman police killed", "police killed the gunman").f1, 2 / 4);
});

Deno.test("rouge() tokenizes like the BBC summaries' missing spaces", () => {
  const s = rouge("from $10.9bn. For the year", "from $10.9bn.For the year");
  close(s.rouge1.f1, 1);
  close(s.rouge2.f1, 1);
  close(s.rougeL.f1, 1);
});

Deno.test("rouge() gives zero for an empty candidate or reference", () => {
  const s = rouge("", "the cat");
  assert.deepEqual(s.rouge1, { precision: 0, recall: 0, f1: 0 });
  assert.equal(rouge("the cat", "").rougeL.f1, 0);
});

Deno.test("leadSummary() takes first sentences until the word budget is reached", () => {
  const text = "One two three. Four five. Six seven eight nine. Ten.";
  assert.equal(leadSummary(text, { maxWords: 4 }), "One two three. Four five.");
  assert.equal(leadSummary(text, { maxWords: 3 }), "One two three.");
  assert.equal(
    leadSummary(text, { maxSentences: 3 }),
    "One two three. Four five. Six seven eight nine.",
  );
});

Deno.test("evaluateSummaries() scores the summarizer and the baselines", () => {
  const pairs = [{
    article: "Alpha beta. Gamma delta. Epsilon zeta. Eta theta.",
    reference: "Gamma delta.",
  }];
  const result = evaluateSummaries(pairs, ({ maxWords }) => {
    assert.equal(maxWords, 2);
    return { summary: "Gamma delta." };
  });
  assert.equal(result.count, 1);
  assert.deepEqual(result.ours, { rouge1: 1, rouge2: 1, rougeL: 1 });
  assert.deepEqual(result.lead, { rouge1: 0, rouge2: 0, rougeL: 0 });
  // lead3: 6 tokens, 2 match → P 1/3, R 1 → F 1/2; bigrams 5, 1 match → P 1/5, R 1 → F 1/3
  close(result.lead3.rouge1, 1 / 2);
  close(result.lead3.rouge2, 1 / 3);
  // article: 8 tokens → F1 = 2·(1/4)/(1 + 1/4) = 0.4
  close(result.article.rouge1, 0.4);
});
