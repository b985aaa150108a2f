import assert from "node:assert/strict";
import { agreementSummary, cohenKappa, fleissKappa, percentAgreement } from "./agreement.ts";

const close = (actual: number | null, expected: number, digits = 9) =>
  assert.ok(
    actual !== null && Math.abs(actual - expected) < 10 ** -digits,
    `${actual} ≠ ${expected}`,
  );

const repeat = (n: number, pair: [string, string]) => Array.from({ length: n }, () => pair);

Deno.test("cohenKappa() matches a hand-computed 2×2 table", () => {
  // yes/yes 20, yes/no 5, no/yes 10, no/no 15: po = 35/50 = 0.7;
  // pe = (25/50)(30/50) + (25/50)(20/50) = 0.3 + 0.2 = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
  const pairs = [
    ...repeat(20, ["yes", "yes"]),
    ...repeat(5, ["yes", "no"]),
    ...repeat(10, ["no", "yes"]),
    ...repeat(15, ["no", "no"]),
  ];
  close(cohenKappa(pairs), 0.4);
  close(percentAgreement(pairs), 0.7);
});

Deno.test("cohenKappa() handles three categories and categories one rater never used", () => {
  // A: x x x y y z, B: x x y y y x. po = 4/6. A: x 3, y 2, z 1; B: x 3, y 3.
  // pe = (3/6)(3/6) + (2/6)(3/6) + (1/6)(0) = 9/36 + 6/36 = 15/36.
  // κ = (24/36 − 15/36) / (21/36) = 9/21 = 3/7.
  const a = ["x", "x", "x", "y", "y", "z"];
  const b = ["x", "x", "y", "y", "y", "x"];
  close(cohenKappa(a.map((x, i) => [x, b[i]] as [string, string])), 3 / 7);
});

Deno.test("cohenKappa() is 1 for perfect agreement, null when undefined, negative below chance", () => {
  close(cohenKappa([["a", "a"], ["b", "b"]]), 1);
  assert.equal(cohenKappa([]), null);
  assert.equal(cohenKappa([["a", "a"], ["a", "a"]]), null);
  // Always disagreeing on two balanced categories: po = 0, pe = 0.5 → κ = −1.
  close(cohenKappa([["a", "b"], ["b", "a"]]), -1);
});

Deno.test("fleissKappa() matches a hand-computed three-rater example", () => {
  // P_i = 1, 1/3, 1 → P̄ = 7/9; p_A = 5/9, p_B = 4/9 → Pe = 41/81; κ = (63−41)/(81−41) = 0.55.
  close(fleissKappa([["A", "A", "A"], ["A", "A", "B"], ["B", "B", "B"]]), 0.55);
});

Deno.test("fleissKappa() reproduces Fleiss's 10-subject, 14-rater table (κ ≈ 0.210)", () => {
  const table = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];
  const items = table.map((row) => row.flatMap((n, j) => Array(n).fill(`c${j}`)));
  // By hand: ΣP_i = 1 + 506/182, so P̄ = 688/1820; column totals 20, 28, 39, 21, 32 of 140,
  // so Pe = 4170/19600; κ = (P̄ − Pe)/(1 − Pe) ≈ 0.20993 (published: 0.210).
  const pBar = 688 / 1820;
  const pe = 4170 / 19600;
  close(fleissKappa(items), (pBar - pe) / (1 - pe));
  assert.equal(Math.round(fleissKappa(items)! * 1000) / 1000, 0.21);
});

Deno.test("fleissKappa() is null when undefined and ignores items with a single rating", () => {
  assert.equal(fleissKappa([]), null);
  assert.equal(fleissKappa([["a"]]), null);
  close(fleissKappa([["a", "a"], ["b", "b"], ["a"]]), 1);
});

Deno.test("agreementSummary() pairs raters on shared items", () => {
  const ratings = [
    { item: 1, rater: "ann", category: "x" },
    { item: 1, rater: "bob", category: "x" },
    { item: 2, rater: "ann", category: "y" },
    { item: 2, rater: "bob", category: "x" },
    { item: 3, rater: "bob", category: "y" },
    { item: 3, rater: "cy", category: "y" },
    { item: 4, rater: "cy", category: "x" },
  ];
  const s = agreementSummary(ratings);
  assert.equal(s.items, 3);
  assert.deepEqual(s.pairs.map((p) => [p.raters, p.items, p.percent]), [
    [["ann", "bob"], 2, 0.5],
    [["bob", "cy"], 1, 1],
  ]);
  // ann/bob: pairs (x,x), (y,x): po = 1/2; ann x 1/2 y 1/2, bob x 1 → pe = 1/2 → κ = 0.
  close(s.pairs[0].kappa, 0);
  close(s.percent, 2 / 3);
  // bob is paired with ann twice (agree once) and with cy once (agree): 2 of 3.
  assert.deepEqual(s.raters.map((r) => [r.rater, r.items]), [["ann", 2], ["bob", 3], ["cy", 1]]);
  close(s.raters[1].percent, 2 / 3);
  close(s.raters[0].percent, 1 / 2);
  close(s.raters[2].percent, 1);
});
