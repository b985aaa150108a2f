import assert from "node:assert/strict";
import { classThresholds, confidentJoint, rankLabels } from "./label_issues.ts";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import { correctedLabels } from "./out_of_fold.ts";
import { outOfFoldProbabilities } from "./train.ts";

const SMALL = { buckets: 4096, subwordBuckets: 4096, epochs: 6 };

/** The toy corpus with every tenth row (from row 5) relabelled with another topic. */
function flipped(n: number) {
  const data = toyCorpus(n, 3);
  const flips = new Set<number>();
  for (let i = 5; i < n; i += 10) {
    const k = TOY_LABELS.indexOf(data[i].label);
    data[i] = { ...data[i], label: TOY_LABELS[(k + 1 + (i % 2)) % TOY_LABELS.length] };
    flips.add(i);
  }
  return { data, flips };
}

const rows = (ps: number[][]) => ps.map((p) => Float64Array.from(p));

Deno.test("classThresholds() is each class's mean self-confidence over the rows given it", () => {
  const t = classThresholds(rows([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6]]), Int32Array.of(0, 0, 1));
  assert.deepEqual([...t].map((x) => +x.toFixed(6)), [0.8, 0.6]);
});

Deno.test("confidentJoint() counts a row under the most probable class that reaches its threshold", () => {
  const p = rows([[0.9, 0.1], [0.95, 0.05], [0.3, 0.7], [0.55, 0.45], [0.6, 0.2]]);
  const given = Int32Array.of(0, 1, 1, 1, 1);
  // t0 = 0.9, t1 = (0.05 + 0.7 + 0.45 + 0.2) / 4 = 0.35; the last row reaches neither.
  const joint = confidentJoint(p, given, classThresholds(p, given));
  assert.deepEqual(joint.map((r) => [...r]), [[1, 0], [1, 2]]);
});

Deno.test("rankLabels() puts a confidently contradicted label first and suggests the other class", () => {
  for (const quality of ["noise-posterior", "normalized-margin", "self-confidence"] as const) {
    const p = rows([[0.95, 0.05], [0.9, 0.1], [0.85, 0.15], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7]]);
    const ranked = rankLabels(p, Int32Array.of(0, 1, 0, 1, 1, 1), { quality });
    assert.equal(ranked[0].index, 1, quality);
    assert.equal(ranked[0].suggested, 0, quality);
    assert.equal(ranked[0].issue, true, quality);
    assert.equal(ranked.filter((r) => r.issue).length, 1, quality);
    assert.ok(ranked.every((r, i) => i === 0 || ranked[i - 1].score <= r.score), quality);
    assert.ok(ranked.every((r) => r.score >= 0 && r.score <= 1), quality);
  }
});

Deno.test("outOfFoldProbabilities() gives every row a distribution, deterministic for a seed", async () => {
  const data = toyCorpus(90, 4);
  const a = await outOfFoldProbabilities(data, { ...SMALL, folds: 3, seed: 2 });
  const b = await outOfFoldProbabilities(data, { ...SMALL, folds: 3, seed: 2 });
  assert.deepEqual(a.labels, TOY_LABELS);
  assert.equal(a.probabilities.length, data.length);
  for (const p of a.probabilities) {
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  }
  assert.deepEqual(a.probabilities, b.probabilities);
  assert.deepEqual([...a.given], data.map((e) => TOY_LABELS.indexOf(e.label)));
});

Deno.test("outOfFoldProbabilities() refuses fewer rows than folds and a single label", async () => {
  await assert.rejects(() => outOfFoldProbabilities(toyCorpus(3), { folds: 5 }), /folds/);
  const one = toyCorpus(30).map((e) => ({ ...e, label: "sport" }));
  await assert.rejects(() => outOfFoldProbabilities(one, SMALL), /two distinct labels/);
});

Deno.test("rankLabels() on out-of-fold probabilities ranks flipped toy labels at the top", async () => {
  const { data, flips } = flipped(300);
  const oof = await outOfFoldProbabilities(data, { ...SMALL, folds: 5, repeats: 2, seed: 1 });
  const ranked = rankLabels(oof.probabilities, oof.given);
  const top = ranked.slice(0, flips.size);
  const hits = top.filter((r) => flips.has(r.index)).length;
  // Chance is 10%; a working ranking finds most of the 30 flips in its top 30.
  assert.ok(hits / flips.size >= 0.7, `precision of the top ${flips.size}: ${hits / flips.size}`);
  for (const r of top.filter((r) => flips.has(r.index))) {
    assert.equal(TOY_LABELS[r.suggested], toyCorpus(300, 3)[r.index].label);
  }
  const again = rankLabels(
    (await outOfFoldProbabilities(data, { ...SMALL, folds: 5, repeats: 2, seed: 1 })).probabilities,
    oof.given,
  );
  assert.deepEqual(again.map((r) => r.index), ranked.map((r) => r.index));
});

Deno.test("correctedLabels() gives the suggested label to as many top-ranked rows as the argmax disagrees with", () => {
  // Rows 0 and 1 disagree with their given label's argmax; row 2 agrees but is less sure.
  const p = rows([[0.9, 0.1], [0.2, 0.8], [0.45, 0.55], [0.95, 0.05], [0.1, 0.9]]);
  const given = Int32Array.of(1, 0, 1, 0, 1);
  const corrected = correctedLabels(p, given);
  assert.deepEqual([...corrected], [0, 1, 1, 0, 1]);
  assert.deepEqual([...given], [1, 0, 1, 0, 1], "the given labels are left alone");
  assert.deepEqual([...correctedLabels(rows([[0.9, 0.1], [0.2, 0.8]]), Int32Array.of(0, 1))], [
    0,
    1,
  ]);
});

Deno.test("outOfFoldProbabilities() repeats fit on corrected labels, so flipped rows lose their given label's probability", async () => {
  const { data, flips } = flipped(300);
  const once = await outOfFoldProbabilities(data, { ...SMALL, folds: 5, seed: 1 });
  const corrected = await outOfFoldProbabilities(data, { ...SMALL, folds: 5, repeats: 3, seed: 1 });
  const givenProbability = (o: typeof once) =>
    [...flips].reduce((s, i) => s + o.probabilities[i][o.given[i]], 0) / flips.size;
  assert.ok(
    givenProbability(corrected) < givenProbability(once),
    `${givenProbability(corrected)} vs ${givenProbability(once)}`,
  );
  for (const p of corrected.probabilities) {
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  }
  assert.deepEqual([...corrected.given], [...once.given]);
});
