import { loadSplit } from "../bench/stories.ts";
import { addToProfile, articleFeatures, bestStory, DEFAULT_STORY_PARAMS, idf, type StoryProfile } from "../ml/story_profile.ts";
import { clusterScores } from "../ml/cluster_metrics.ts";
const split = Deno.args[0] ?? "train";
const over = JSON.parse(Deno.args[1] ?? "{}");
const params = { ...DEFAULT_STORY_PARAMS, ...over };
const docs = await loadSplit(split);
const df = new Map<string, number>(); let total = 0;
const stories: Array<{ id: number; profile: StoryProfile }> = [];
const out: number[] = [];
for (const d of docs) {
  const features = articleFeatures(d.title, d.body, params);
  const rarity = (t: string) => idf(df.get(t) ?? 0, total);
  const at = Date.parse(d.at);
  const best = bestStory({ features, at }, stories, rarity, params);
  let s = best?.candidate;
  if (!s) { s = { id: stories.length, profile: null as unknown as StoryProfile }; stories.push(s); }
  s.profile = addToProfile(s.profile, { features, at }, rarity);
  out.push(s.id);
  for (const t of features.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  total++;
}
const sc = clusterScores(docs.map((d) => d.event), out);
console.log(JSON.stringify({ ...over, ari: +sc.ari.toFixed(3), f1: +sc.bcubed.f1.toFixed(3), p: +sc.bcubed.precision.toFixed(3), r: +sc.bcubed.recall.toFixed(3), n: sc.clusters }));
if (Deno.env.get("SHOW")) {
  const ev = new Map<string, Map<number, string[]>>();
  docs.forEach((d, i) => { const m = ev.get(d.event) ?? new Map(); const l = m.get(out[i]) ?? []; l.push(d.at.slice(0,10) + " " + d.title.slice(0, 70)); m.set(out[i], l); ev.set(d.event, m); });
  for (const [e, m] of ev) if (m.size > 1) { console.log("EVENT", e); for (const [s, l] of m) console.log("  story", s, l.length, l.slice(0,3)); }
}
if (Deno.env.get("MIXED")) {
  const st = new Map<number, Map<string, string[]>>();
  docs.forEach((d, i) => { const m = st.get(out[i]) ?? new Map(); const l = m.get(d.event) ?? []; l.push(d.at.slice(0,10) + " " + d.title.slice(0, 60)); m.set(d.event, l); st.set(out[i], m); });
  for (const [s, m] of st) if (m.size > 1) { console.log("STORY", s); for (const [e, l] of m) console.log("  ", e, l.length, l.slice(0,2)); }
}
