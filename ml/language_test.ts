// ml/language_test.ts — tests for fastText (lid.176) language detection.

import assert from "node:assert/strict";
import { createLanguageDetector } from "./language.ts";

const detector = await createLanguageDetector();

const SAMPLES: [string, string][] = [
  ["en", "The government announced new measures on Tuesday to curb rising inflation."],
  ["fr", "Le gouvernement a annoncé mardi de nouvelles mesures pour freiner l'inflation."],
  ["de", "Die Regierung hat am Dienstag neue Maßnahmen gegen die steigende Inflation angekündigt."],
  ["es", "El gobierno anunció el martes nuevas medidas para frenar la inflación."],
  ["ru", "Правительство во вторник объявило о новых мерах по сдерживанию инфляции."],
  ["zh", "政府周二宣布了抑制通货膨胀的新措施。"],
];

for (const [language, text] of SAMPLES) {
  Deno.test(`detect() recognises ${language}`, () => {
    const guess = detector.detect(text);
    assert.equal(guess.language, language);
    assert.ok(guess.confidence > 0.5 && guess.confidence <= 1);
  });
}

Deno.test("detect() reads the whole text across newlines", () => {
  // fastText stops at a newline: without folding, only "Headline" would be classified.
  const text = "Headline\n\nLe gouvernement a annoncé mardi de nouvelles mesures.\nLes syndicats " +
    "ont immédiatement réagi.";
  assert.equal(detector.detect(text).language, "fr");
});

Deno.test("detect() returns 'und' for text without letters", () => {
  assert.deepEqual(detector.detect(""), { language: "und", confidence: 0 });
  assert.deepEqual(detector.detect("  12 345 — 6.7%\n"), { language: "und", confidence: 0 });
});

Deno.test("detectTop() returns k guesses, most likely first", () => {
  const top = detector.detectTop(SAMPLES[3][1], 3);
  assert.equal(top.length, 3);
  assert.equal(top[0].language, "es");
  assert.ok(top[0].confidence >= top[1].confidence && top[1].confidence >= top[2].confidence);
});

Deno.test("detect() maps languages without a two-letter code to ISO 639-3", () => {
  // Cebuano is "ceb" in both fastText and ISO 639-3; Swiss German is fastText's "als" → "gsw".
  const guess = detector.detectTop(
    "Ang Sugbo usa ka lalawigan sa Pilipinas nga nahimutang sa rehiyon sa Kabisay-an.",
    5,
  ).map((g) => g.language);
  assert.ok(guess.every((code) => /^[a-z]{2,3}$/.test(code)), guess.join(","));
  assert.ok(!guess.includes("als"));
});

Deno.test("detect() handles long text by classifying its beginning", () => {
  const text = "Les marchés financiers ont progressé. ".repeat(500);
  assert.equal(detector.detect(text).language, "fr");
});
