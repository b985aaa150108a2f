// ml/terms_test.ts — tests for the trend term tokenizer.

import assert from "node:assert/strict";
import { articleTerms, MAX_PHRASE_WORDS, termCounts, termTokens } from "./terms.ts";

Deno.test("termTokens() lower-cases words and drops stopwords, numbers and one-letter words", () => {
  assert.deepEqual(
    termTokens("The Bank of England raised rates to 5% in 2023, a first", {
      bigrams: false,
    }),
    ["bank", "england", "raised", "rates", "first"],
  );
});

Deno.test("termTokens() handles apostrophes: possessives dropped, inner ones kept", () => {
  assert.deepEqual(
    termTokens("Britain's voters’ mood: O'Neill's rock'n'roll can't lose", { bigrams: false }),
    ["britain", "voters", "mood", "o'neill", "rock'n'roll", "lose"],
  );
});

Deno.test("termTokens() adds bigrams of adjacent kept words, not across punctuation", () => {
  assert.deepEqual(termTokens("Climate change: the UK's plan"), [
    "climate",
    "change",
    "uk",
    "plan",
    "climate change",
    "uk plan",
  ]);
  // "of" (a stopword) and the comma both break a bigram; a hyphen does not.
  assert.deepEqual(termTokens("Bank of England, long-term rates").filter((t) => t.includes(" ")), [
    "long term",
    "term rates",
  ]);
});

Deno.test("termCounts() counts terms and bigrams", () => {
  const counts = termCounts("Donald Trump met Trump supporters. Donald Trump spoke.");
  assert.equal(counts.get("trump"), 3);
  assert.equal(counts.get("donald trump"), 2);
  assert.equal(counts.get("trump supporters"), 1);
  assert.equal(counts.get("supporters donald"), undefined, "no bigram across a full stop");
  assert.equal(termCounts("").size, 0);
});

Deno.test("termCounts() keeps non-English letters", () => {
  assert.deepEqual([...termCounts("Café société", { bigrams: false })], [["café", 1], [
    "société",
    1,
  ]]);
});

Deno.test("articleTerms() counts words and phrases, phrases from the lead only", () => {
  const terms = articleTerms("North Korea fires missile", "Saudi Aramco shares fell.");
  assert.equal(terms.get("north korea"), 1);
  assert.equal(terms.get("saudi aramco"), 1);
  assert.equal(terms.get("korea"), 1);
  // The title ends with a break: no phrase joins its last word to the body's first.
  assert.equal(terms.has("missile saudi"), false);
  const filler = Array.from({ length: MAX_PHRASE_WORDS }, (_, i) => `w${i}`).join(" ");
  const late = articleTerms("Title", `${filler}. Climate change`);
  assert.equal(late.get("climate"), 1);
  assert.equal(late.has("climate change"), false);
});
