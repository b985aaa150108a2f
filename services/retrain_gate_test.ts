import assert from "node:assert/strict";
import { gateDecision, type GateInput, type GateRules } from "./retrain_gate.ts";

const RULES: GateRules = { minEval: 100, margin: 0.005, fixedTolerance: 0.01, autoPromote: false };
const input = (over: Partial<GateInput> = {}): GateInput => ({
  trigger: "api",
  evalSize: 500,
  candidate: { all: 0.85, fixed: 0.86 },
  active: { all: 0.84, fixed: 0.86 },
  ...over,
});

Deno.test("gateDecision() promotes a candidate better by the margin and fine on the fixed file", () => {
  const d = gateDecision(input(), RULES);
  assert.equal(d.promote, true);
  assert.match(d.reason, /better than the active model by 0\.0100/);
});

Deno.test("gateDecision() keeps the active model on a tie or a gain below the margin", () => {
  for (const all of [0.84, 0.844]) {
    const d = gateDecision(input({ candidate: { all, fixed: 0.86 } }), RULES);
    assert.equal(d.promote, false, String(all));
    assert.match(d.reason, /RETRAIN_MARGIN/);
  }
});

Deno.test("gateDecision() refuses a candidate worse on the fixed file, however good elsewhere", () => {
  const d = gateDecision(input({ candidate: { all: 0.99, fixed: 0.8 } }), RULES);
  assert.equal(d.promote, false);
  assert.match(d.reason, /fixed evaluation file by 0\.0600/);
  // Within the tolerance: promoted.
  assert.equal(gateDecision(input({ candidate: { all: 0.9, fixed: 0.851 } }), RULES).promote, true);
});

Deno.test("gateDecision() refuses an evaluation set below RETRAIN_MIN_EVAL, even with no active model", () => {
  const d = gateDecision(input({ evalSize: 99, active: null }), RULES);
  assert.equal(d.promote, false);
  assert.match(d.reason, /99 examples, fewer than RETRAIN_MIN_EVAL \(100\)/);
  assert.equal(gateDecision(input({ active: null }), RULES).promote, true);
});

Deno.test("gateDecision() never promotes a retrain started by labels unless RETRAIN_AUTO_PROMOTE", () => {
  const d = gateDecision(input({ trigger: "labels" }), RULES);
  assert.equal(d.promote, false);
  assert.match(d.reason, /RETRAIN_AUTO_PROMOTE is off/);
  assert.equal(
    gateDecision(input({ trigger: "labels" }), { ...RULES, autoPromote: true }).promote,
    true,
  );
});
