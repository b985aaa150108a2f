// ml/sentences_test.ts — tests for the news sentence splitter and word tokenizer.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  countWords,
  MAX_WORD_BEFORE,
  splitParagraphs,
  splitSentences,
  wordBefore,
  wordTokens,
} from "./sentences.ts";

/** `text` behind a proxy that counts the characters read by index (`text[i]`). */
function countingReads(text: string): { text: string; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(new String(text), {
    get(target, key) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(text) : value;
    },
  });
  return { text: proxy as unknown as string, reads: () => reads };
}

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

Deno.test("wordBefore() gives the word before a full stop: initials, abbreviations, words", () => {
  const text = "He moved to the U.S. Acme Inc. said hello. x";
  assert.equal(wordBefore(text, text.indexOf(". Acme")), "U.S");
  assert.equal(wordBefore(text, text.indexOf(". said")), "Inc");
  assert.equal(wordBefore(text, text.indexOf(". x")), "hello");
  assert.equal(wordBefore("A.", 1), "A");
});

Deno.test("wordBefore() gives null for a word longer than MAX_WORD_BEFORE", () => {
  const exact = "x".repeat(MAX_WORD_BEFORE);
  assert.equal(wordBefore(`${exact}.`, MAX_WORD_BEFORE), exact);
  assert.equal(wordBefore(` ${exact}.`, MAX_WORD_BEFORE + 1), exact);
  assert.equal(wordBefore(`x${exact}.`, MAX_WORD_BEFORE + 1), null);
});

Deno.test("wordBefore() reads at most MAX_WORD_BEFORE + 1 characters of a run of any length", () => {
  // Without the bound every full stop of "A.A.A.…" looked back to the start of the run.
  for (const length of [10, 1_000, 100_000]) {
    const run = "A.".repeat(length / 2);
    const { text, reads } = countingReads(run);
    wordBefore(text, run.length - 1);
    assert.ok(reads() <= MAX_WORD_BEFORE + 1, `${reads()} characters read of ${length}`);
  }
});

Deno.test("splitSentences() keeps 100,000 characters of 'A.' without spaces as one sentence", () => {
  const text = "A.".repeat(50_000);
  assert.deepEqual(splitSentences(text), [text]);
  assert.deepEqual(splitParagraphs(text), [[text]]);
});

Deno.test("splitSentences() ends every sentence of 'A. ' repeated", () => {
  const sentences = splitSentences("A. ".repeat(30_000));
  assert.equal(sentences.length, 30_000);
  assert.ok(sentences.every((s) => s === "A."));
});

Deno.test("splitSentences() ends a sentence after a word longer than MAX_WORD_BEFORE", () => {
  const long = "x".repeat(MAX_WORD_BEFORE * 2);
  assert.deepEqual(splitSentences(`See ${long}. Then it rained.`), [
    `See ${long}.`,
    "Then it rained.",
  ]);
  assert.deepEqual(splitSentences(`${long}.For the record.`), [`${long}.`, "For the record."]);
});

Deno.test("splitParagraphs() joins the lines of a block after a long run of spaces", () => {
  // `/\s*\n\s*/` took seconds over a run of spaces that no newline ends.
  const spaces = " ".repeat(100_000);
  assert.deepEqual(splitParagraphs(`${spaces}Rain\nmore rain.\n\nSun.${spaces}`), [
    ["Rain more rain."],
    ["Sun."],
  ]);
  assert.deepEqual(splitParagraphs(spaces), []);
});

Deno.test("splitSentences() keeps every non-space character, in order, for any text", () => {
  const unicode = fc.constantFrom(
    "A",
    "a",
    ".",
    " ",
    "\n",
    "!",
    "?",
    "…",
    '"',
    "(",
    "😀",
    "\u0301",
    "\u202e",
    "\u05d0",
    "Mr",
    "U.S.",
    "$",
    "5",
  );
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.array(unicode).map((a) => a.join(""))), (text) => {
      const sentences = splitSentences(text);
      assert.ok(sentences.every((s) => s !== "" && s === s.trim()));
      assert.equal(sentences.join("").replace(/\s+/g, ""), text.replace(/\s+/g, ""));
    }),
    { seed: 12, numRuns: 500 },
  );
});
