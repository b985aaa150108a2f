// ml/sentences_test.ts — tests for the news sentence splitter and word tokenizer.

import assert from "node:assert/strict";
import { countWords, splitParagraphs, splitSentences, wordTokens } from "./sentences.ts";

Deno.test("splitSentences() keeps 'U.S.' inside a sentence", () => {
  assert.deepEqual(splitSentences("Exports to the U.S. economy rose. Imports fell."), [
    "Exports to the U.S. economy rose.",
    "Imports fell.",
  ]);
});

Deno.test("splitSentences() ends a sentence at 'U.S.' when a sentence starter follows", () => {
  assert.deepEqual(splitSentences("He moved to the U.S. The move cost £5m."), [
    "He moved to the U.S.",
    "The move cost £5m.",
  ]);
});

Deno.test("splitSentences() never splits after titles, months and 'No.'", () => {
  const text = "Mr. Blair met Dr. Jones and Mrs. Smith at St. Paul's on Jan. 5. It was No. 1 news.";
  assert.deepEqual(splitSentences(text), [
    "Mr. Blair met Dr. Jones and Mrs. Smith at St. Paul's on Jan. 5.",
    "It was No. 1 news.",
  ]);
});

Deno.test("splitSentences() keeps initials and company abbreviations together", () => {
  assert.deepEqual(splitSentences("J. R. R. Tolkien sold to Acme Inc. Europe. U.K. Ltd. agreed."), [
    "J. R. R. Tolkien sold to Acme Inc. Europe.",
    "U.K. Ltd. agreed.",
  ]);
});

Deno.test("splitSentences() keeps decimals and amounts whole", () => {
  assert.deepEqual(splitSentences("Sales rose 3.5% to $10.9bn (£5.8bn). Profit was 1.2m."), [
    "Sales rose 3.5% to $10.9bn (£5.8bn).",
    "Profit was 1.2m.",
  ]);
});

Deno.test("splitSentences() splits at a missing space after a full stop", () => {
  assert.deepEqual(
    splitSentences("Sales rose 2% to $11.1bn from $10.9bn.For the full-year, it rose 5%.The end."),
    ["Sales rose 2% to $11.1bn from $10.9bn.", "For the full-year, it rose 5%.", "The end."],
  );
});

Deno.test("splitSentences() does not split 'U.S.The' or domains at a missing space", () => {
  assert.deepEqual(splitSentences("See bbc.co.uk for the U.S.Army story."), [
    "See bbc.co.uk for the U.S.Army story.",
  ]);
});

Deno.test("splitSentences() ends a sentence inside closing quotes", () => {
  assert.deepEqual(
    splitSentences(`"We won." Then he left. "Is it over?" she asked. 'Yes!' He smiled.`),
    [`"We won."`, "Then he left.", `"Is it over?" she asked.`, `'Yes!'`, "He smiled."],
  );
});

Deno.test("splitSentences() treats ellipses by what follows them", () => {
  assert.deepEqual(splitSentences("It was... fine. He paused... Then he left… Later, rain."), [
    "It was... fine.",
    "He paused...",
    "Then he left…",
    "Later, rain.",
  ]);
});

Deno.test("splitSentences() ends sentences at paragraph breaks", () => {
  assert.deepEqual(splitSentences("Title line\n\nFirst paragraph ends here\nSecond one. Yes."), [
    "Title line",
    "First paragraph ends here",
    "Second one.",
    "Yes.",
  ]);
});

Deno.test("splitSentences() handles empty text and text without punctuation", () => {
  assert.deepEqual(splitSentences(""), []);
  assert.deepEqual(splitSentences("   \n\n "), []);
  assert.deepEqual(splitSentences("no boundary here at all"), ["no boundary here at all"]);
});

Deno.test("splitParagraphs() groups sentences by blank-line paragraphs", () => {
  assert.deepEqual(splitParagraphs("A one. A two.\n\nB one\ncontinued.\n\n\n"), [
    ["A one.", "A two."],
    ["B one continued."],
  ]);
});

Deno.test("wordTokens() lower-cases and splits on non-alphanumerics like ROUGE", () => {
  assert.deepEqual(wordTokens("AOL's $10.9bn (£600m) Café!"), [
    "aol",
    "s",
    "10",
    "9bn",
    "600m",
    "café",
  ]);
});

Deno.test("countWords() counts whitespace-separated words", () => {
  assert.equal(countWords("  one two\nthree\tfour "), 4);
  assert.equal(countWords(""), 0);
});
