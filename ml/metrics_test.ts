import assert from "node:assert/strict";
import { evaluate, formatReport, type Prediction } from "./metrics.ts";

const p = (label: string, score: number): Prediction => ({ label, score, scores: {} });
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("evaluate() matches hand-computed accuracy, per-class metrics and confusion", () => {
  const labels = ["a", "b", "c"];
  const gold = ["a", "a", "a", "b", "b", "c"];
  const preds = [p("a", 0.9), p("a", 0.8), p("b", 0.6), p("b", 0.7), p("a", 0.5), p("c", 1)];
  const r = evaluate(gold, preds, labels);
  assert.deepEqual(r.confusion, [[2, 1, 0], [1, 1, 0], [0, 0, 1]]);
  close(r.accuracy, 4 / 6);
  // a: P = 2/3, R = 2/3; b: P = 1/2, R = 1/2; c: P = R = 1.
  close(r.perClass.a.precision, 2 / 3);
  close(r.perClass.a.recall, 2 / 3);
  close(r.perClass.b.f1, 0.5);
  assert.equal(r.perClass.a.support, 3);
  close(r.macroF1, (2 / 3 + 0.5 + 1) / 3);
});

Deno.test("evaluate() computes ECE over 15 equal-width confidence bins", () => {
  // Bin (13/15, 14/15] holds 0.9 (right) and 0.92 (wrong): |1 - 1.82| / 4 = 0.205.
  // Bin (7/15, 8/15] holds 0.5 (wrong): 0.5 / 4 = 0.125. Bin 14 holds 1.0 (right): 0.
  const r = evaluate(
    ["a", "a", "b", "b"],
    [p("a", 0.9), p("b", 0.92), p("a", 0.5), p("b", 1)],
    ["a", "b"],
  );
  close(r.ece, 0.205 + 0.125);
});

Deno.test("evaluate() gives zero F1 to a label never predicted and rejects unknown labels", () => {
  const r = evaluate(["a", "b"], [p("a", 1), p("a", 1)], ["a", "b"]);
  assert.equal(r.perClass.b.f1, 0);
  assert.equal(r.perClass.b.precision, 0);
  assert.throws(() => evaluate(["z"], [p("a", 1)], ["a"]), /gold label "z"/);
  assert.throws(() => evaluate(["a"], [], ["a"]), /1 gold labels but 0 predictions/);
});

Deno.test("formatReport() lists every label and the confusion matrix", () => {
  const text = formatReport(evaluate(["World", "Sports"], [p("World", 1), p("World", 1)], [
    "World",
    "Sports",
  ]));
  assert.match(text, /accuracy 50\.00%/);
  assert.match(text, /^Sports\s+0\.00\s+0\.00\s+0\.00\s+1$/m);
  assert.match(text, /^World\s+1\s+0$/m);
});
