import { addToProfile, articleFeatures, decodeProfile, encodeProfile, bestStory, queryTerms, indexedTerms, type StoryProfile } from "../ml/story_profile.ts";
import { readDataset } from "../datasets/mod.ts";
const texts: Array<{title: string; body: string}> = [];
for await (const r of readDataset("data/agnews/train_10k.csv")) { texts.push(r as unknown as {title: string; body: string}); if (texts.length > 500) break; }
const flat = (t: string) => 1 + (t.length % 5);
const profs: string[] = [];
for (let i = 0; i < 40; i++) { let p: StoryProfile | null = null; for (let k = 0; k < 5; k++) p = addToProfile(p, { features: articleFeatures(texts[i*5+k].title, texts[i*5+k].body), at: 0 }, flat); profs.push(encodeProfile(p!)); }
let t = performance.now();
for (let r = 0; r < 100; r++) { const f = articleFeatures(texts[r].title, texts[r].body); }
console.log("features ms", (performance.now() - t) / 100);
t = performance.now();
for (let r = 0; r < 100; r++) { const c = profs.map((p, i) => ({ id: i, profile: decodeProfile(p)! })); }
console.log("decode40 ms", (performance.now() - t) / 100);
const cands = profs.map((p, i) => ({ id: i, profile: decodeProfile(p)! }));
t = performance.now();
for (let r = 0; r < 100; r++) { const f = articleFeatures(texts[r].title, texts[r].body); bestStory({ features: f, at: 0 }, cands, flat); }
console.log("features+best40 ms", (performance.now() - t) / 100);
t = performance.now();
for (let r = 0; r < 100; r++) { const p = addToProfile(cands[0].profile, { features: articleFeatures(texts[r].title, texts[r].body), at: 0 }, flat); encodeProfile(p); indexedTerms(p); }
console.log("add+encode ms", (performance.now() - t) / 100);
