// ml/stored_profile_test.ts — story profiles as stored, read back and scored from their text.
import assert from "node:assert/strict";
import {
  addToProfile,
  articleFeatures,
  bestStory,
  type StoryProfile,
  storySimilarity,
} from "./story_profile.ts";
import { decodeProfile, encodeProfile, encodeVector } from "./stored_profile.ts";
import { mulberry32 } from "./prng.ts";

const flat = () => 1;
const rarity = (t: string) => 1 + (t.length % 5) / 2;

const TEXTS: Array<[string, string]> = [
  ["Quake hits Sumatra", "A 7.6 quake struck off Padang, Indonesia, on 30 September 2009."],
  ["Padang quake toll rises", "Rescuers in Padang search for survivors; 1,100 dead in Sumatra."],
  ["New York City marathon", "Runners in New York and New Yorkers cheer; the New York City race."],
  ["Élan in Zürich", "Zürich, Zug and Ärzte: names with letters beyond ASCII, and Zurich."],
  [
    "Reid checks into rehab",
    "Tara Reid entered Promises Treatment Center in Malibu, her rep said.",
  ],
];

function profileOf(texts: Array<[string, string]>): StoryProfile {
  let p: StoryProfile | null = null;
  for (const [title, body] of texts) {
    p = addToProfile(p, { features: articleFeatures(title, body), at: 0 }, rarity);
  }
  return p!;
}

/** A profile of plain fields, as before it was stored. */
function plain(p: StoryProfile): StoryProfile {
  return {
    terms: new Map(p.terms),
    vector: p.vector,
    articles: p.articles,
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
  };
}

Deno.test("decodeProfile() reads back what encodeProfile() wrote", () => {
  const p = addToProfile(profileOf(TEXTS), {
    features: articleFeatures("x", "y"),
    vector: new Float32Array([0.5, 0.25]),
    at: 3,
  }, flat);
  const back = decodeProfile(encodeProfile(p))!;
  assert.equal(back.articles, 6);
  assert.equal(back.firstSeen, 0);
  assert.equal(back.lastSeen, 3);
  assert.deepEqual([...back.vector!], [0.5, 0.25]);
  assert.deepEqual(
    [...back.terms].sort(),
    [...p.terms].map(([t, w]) => [t, Math.round(w * 1e5) / 1e5]).sort(),
  );
  assert.equal(decodeProfile("not json"), null);
  assert.equal(decodeProfile('{"t":1}'), null);
  assert.equal(decodeProfile(null), null);
});

Deno.test("a stored profile scores an article as its decoded terms do", () => {
  for (let i = 0; i < TEXTS.length; i++) {
    const stored = decodeProfile(encodeProfile(profileOf(TEXTS.slice(0, i + 1))))!;
    const decoded = plain(stored);
    for (const [title, body] of [...TEXTS, ["Nothing shared", "zzz qqq"] as [string, string]]) {
      const article = { features: articleFeatures(title, body) };
      const fromText = storySimilarity(article, stored, rarity);
      const fromTerms = storySimilarity(article, decoded, rarity);
      assert.ok(Math.abs(fromText - fromTerms) < 1e-12, `${title}: ${fromText} vs ${fromTerms}`);
    }
  }
});

Deno.test("a profile stored before terms were kept in order still reads and scores", () => {
  const p = profileOf(TEXTS.slice(0, 3));
  // The earlier layout: lines in weight order, no norm in the header.
  const header = JSON.stringify({ n: p.articles, f: p.firstSeen, l: p.lastSeen, v: null });
  const lines = [...p.terms].sort((a, b) => b[1] - a[1])
    .map(([t, w]) => `${t}\t${Math.round(w * 1e5) / 1e5}`);
  const old = decodeProfile([header, ...lines].join("\n"))!;
  const now = decodeProfile(encodeProfile(p))!;
  assert.deepEqual(new Map([...old.terms].sort()), new Map([...now.terms].sort()));
  const article = { features: articleFeatures(...TEXTS[1]) };
  const a = storySimilarity(article, old, rarity);
  assert.ok(a > 0);
  assert.ok(Math.abs(a - storySimilarity(article, now, rarity)) < 1e-12);
});

Deno.test("bestStory() picks the same story from stored profiles as from decoded ones", () => {
  const stories = TEXTS.map((t, i) => profileOf([t, TEXTS[(i + 1) % TEXTS.length]]));
  const stored = stories.map((p) => ({ profile: decodeProfile(encodeProfile(p))! }));
  const decoded = stored.map((c) => ({ profile: plain(c.profile) }));
  for (const [title, body] of TEXTS) {
    const article = { features: articleFeatures(title, body), at: 0 };
    const a = bestStory(article, stored, rarity);
    const b = bestStory(article, decoded, rarity);
    assert.equal(a && stored.indexOf(a.candidate), b && decoded.indexOf(b.candidate));
    assert.ok(Math.abs((a?.similarity ?? 0) - (b?.similarity ?? 0)) < 1e-12);
  }
});

Deno.test("a stored profile with a malformed vector reads with none", () => {
  const p = profileOf(TEXTS.slice(0, 1));
  const text = encodeProfile({ ...plain(p), vector: new Float32Array([1]) })
    .replace(encodeVector(new Float32Array([1])), "!!");
  assert.equal(decodeProfile(text)!.vector, null);
});

Deno.test("a stored profile meets an article's terms that are prefixes of its own and others", () => {
  const random = mulberry32(24);
  // Terms of a two-letter alphabet (and a letter beyond ASCII): many are prefixes of others.
  const term = () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => "abé"[Math.floor(random() * 3)])
      .join("");
  const weights = () => new Map(Array.from({ length: 12 }, () => [term(), random()]));
  for (let i = 0; i < 200; i++) {
    const p = decodeProfile(encodeProfile({
      terms: weights(),
      vector: null,
      articles: 1,
      firstSeen: 0,
      lastSeen: 0,
    }))!;
    const features = weights();
    const fromText = storySimilarity({ features }, p, flat);
    const fromTerms = storySimilarity({ features }, plain(p), flat);
    assert.ok(Math.abs(fromText - fromTerms) < 1e-12, `${fromText} vs ${fromTerms}`);
  }
});
