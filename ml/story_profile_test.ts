// ml/story_profile_test.ts — article features, story profiles and which story an article joins.
import assert from "node:assert/strict";
import {
  addToProfile,
  allowedGap,
  articleFeatures,
  bestStory,
  DEFAULT_STORY_PARAMS,
  INDEXED_TERMS,
  indexedTerms,
  MAX_ARTICLE_TERMS,
  MAX_PROFILE_TERMS,
  stem,
  type StoryProfile,
  storySimilarity,
  withinGap,
} from "./story_profile.ts";
import { decodeProfile, encodeProfile } from "./stored_profile.ts";

const DAY = 86_400_000;
const flat = () => 1;

function profileOf(texts: Array<[string, string]>, at = 0): StoryProfile {
  let p: StoryProfile | null = null;
  for (const [title, body] of texts) {
    p = addToProfile(p, { features: articleFeatures(title, body), at }, flat);
  }
  return p!;
}

Deno.test("articleFeatures() reads words, names and numbers, title words weighing more", () => {
  const f = articleFeatures(
    "Earthquake strikes Indonesia",
    "A 7.3 magnitude earthquake struck off Sumatra on Tuesday, killing 12 people in Padang.",
  );
  assert.ok(f.get("earthquake")! > f.get("struck")!, "title words weigh more");
  assert.ok(f.has("n:sumatra") && f.has("n:padang"), "places are names");
  assert.ok(f.has("#7.3") && f.has("#12"), "numbers are kept");
  assert.ok(!f.has("the") && !f.has("on"), "stopwords are not");
  assert.ok(!f.has("n:tuesday"), "weekdays name nothing in particular");
});

Deno.test("articleFeatures() keeps a bounded number of terms of a huge article", () => {
  const body = Array.from({ length: 5000 }, (_, i) => `word${i} Name${i}`).join(" ");
  const f = articleFeatures("t", body);
  assert.ok(f.size <= MAX_ARTICLE_TERMS);
});

Deno.test("stem() folds plurals and possessives only", () => {
  assert.equal(stem("rescuers"), "rescuer");
  assert.equal(stem("injuries"), "injury");
  assert.equal(stem("police's"), "police");
  assert.equal(stem("news"), "new");
  assert.equal(stem("glass"), "glass");
  assert.equal(stem("virus"), "virus");
});

Deno.test("bestStory() joins the same event told in other words, not another of its kind", () => {
  const quake = profileOf([
    ["Quake hits Sumatra", "A 7.6 magnitude earthquake hit Padang on Sumatra, killing hundreds."],
    ["Hundreds dead in Padang", "Rescuers dug through rubble in Padang after the Sumatra quake."],
  ]);
  const other = profileOf([
    ["Earthquake strikes Haiti", "A 7.0 magnitude earthquake hit Port-au-Prince in Haiti."],
  ]);
  const article = {
    features: articleFeatures(
      "Padang death toll rises",
      "The toll of the Sumatra earthquake rose as rescuers searched Padang.",
    ),
    at: DAY,
  };
  const best = bestStory(article, [{ id: 1, profile: quake }, { id: 2, profile: other }], flat);
  assert.equal(best?.candidate.id, 1);
  const unrelated = {
    features: articleFeatures("Apple opens iTunes in Europe", "Apple opened its music store."),
    at: DAY,
  };
  assert.equal(bestStory(unrelated, [{ id: 1, profile: quake }], flat), null);
});

Deno.test("bestStory(): a story gone quiet takes back only an article that is clearly its", () => {
  // Two months of a story: its gap reaches 67 days past its last article.
  let summit = profileOf([["Trump and Kim meet in Singapore", "Trump met Kim Jong Un there."]]);
  summit = addToProfile(summit, {
    features: articleFeatures("Singapore summit ends", "Trump and Kim signed a statement."),
    at: 60 * DAY,
  }, flat);
  // Of its kind (Trump, Kim), not its event: taken the next day, not forty days on.
  const kind = (at: number) => ({
    features: articleFeatures("Trump says Kim letter was very nice", "Trump praised a letter."),
    at,
  });
  const candidates = [{ id: 1, profile: summit }];
  assert.equal(bestStory(kind(61 * DAY), candidates, flat)?.candidate.id, 1);
  assert.equal(bestStory(kind(100 * DAY), candidates, flat), null);
  const noRise = { ...DEFAULT_STORY_PARAMS, staleGrowth: 0 };
  assert.equal(bestStory(kind(100 * DAY), candidates, flat, noRise)?.candidate.id, 1);
  // The same event told again forty days on still joins.
  const again = {
    features: articleFeatures(
      "Singapore summit: the Trump and Kim statement",
      "The statement Trump and Kim Jong Un signed in Singapore at their summit.",
    ),
    at: 100 * DAY,
  };
  assert.equal(bestStory(again, candidates, flat)?.candidate.id, 1);
});

Deno.test("withinGap(): the gap a story accepts grows with its life, up to a cap", () => {
  const young = { firstSeen: 0, lastSeen: DAY };
  const old = { firstSeen: 0, lastSeen: 60 * DAY };
  assert.ok(allowedGap(old) > allowedGap(young));
  assert.ok(withinGap(young, DAY + DEFAULT_STORY_PARAMS.baseGapMs));
  assert.ok(!withinGap(young, 30 * DAY));
  assert.ok(withinGap(old, 100 * DAY), "a story of two months accepts a report weeks later");
  assert.ok(!withinGap({ firstSeen: 0, lastSeen: 5000 * DAY }, 5000 * DAY + 365 * DAY));
  const article = {
    features: articleFeatures("Quake hits Sumatra", "Padang quake"),
    at: 400 * DAY,
  };
  assert.equal(
    bestStory(article, [{ profile: profileOf([["Quake hits Sumatra", "Padang"]]) }], flat),
    null,
  );
});

Deno.test("storySimilarity() blends the vectors' cosine when both have one", () => {
  const p = addToProfile(null, {
    features: articleFeatures("Quake hits Sumatra", "Padang"),
    vector: new Float32Array([1, 0]),
    at: 0,
  }, flat);
  const features = articleFeatures("Quake hits Sumatra", "Padang");
  const same = storySimilarity({ features, vector: new Float32Array([1, 0]) }, p, flat);
  const opposite = storySimilarity({ features, vector: new Float32Array([-1, 0]) }, p, flat);
  const none = storySimilarity({ features }, p, flat);
  assert.ok(same > opposite);
  assert.ok(Math.abs(none - 1) < 1e-9, "without a vector, the term cosine alone");
});

Deno.test("profiles keep their strongest terms, index fewer, and survive encoding", () => {
  const texts: Array<[string, string]> = Array.from({ length: 30 }, (_, i) => [
    `Story ${i}`,
    Array.from({ length: 40 }, (_, j) => `term${i}x${j}`).join(" "),
  ]);
  const p = addToProfile(profileOf(texts), {
    features: articleFeatures("x", "y"),
    vector: new Float32Array([0.5, 0.25]),
    at: 3 * DAY,
  }, flat);
  assert.ok(p.terms.size <= MAX_PROFILE_TERMS);
  assert.equal(indexedTerms(p).length, INDEXED_TERMS);
  const back = decodeProfile(encodeProfile(p))!;
  assert.equal(back.articles, 31);
  assert.equal(back.lastSeen, 3 * DAY);
  assert.deepEqual([...back.vector!], [0.5, 0.25]);
  assert.equal(decodeProfile("not json"), null);
  assert.equal(decodeProfile('{"t":1}'), null);
});
