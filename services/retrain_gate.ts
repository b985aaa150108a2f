/**
 * The promotion gate of a retrain: whether a candidate replaces the active model, and why
 * (or why not) in words an operator can act on. A candidate is promoted only when the
 * evaluation set is large enough, it is not worse than the active model on the fixed
 * evaluation file by more than a tolerance, and it beats the active model on the whole
 * evaluation set by a margin (a tie keeps the model that is serving). A retrain started
 * by new labels alone never promotes unless the configuration allows it: it leaves the
 * candidate as the shadow model for an admin to promote.
 */
import type { RetrainTrigger } from "../db/retrains.ts";
import type { EvalScores } from "./retrain_data.ts";

/** The configuration the gate applies (`RETRAIN_*`). */
export interface GateRules {
  minEval: number;
  margin: number;
  fixedTolerance: number;
  autoPromote: boolean;
}

/** What the gate compares. */
export interface GateInput {
  trigger: RetrainTrigger;
  evalSize: number;
  candidate: EvalScores;
  /** Null: no model is active, so there is nothing to beat. */
  active: EvalScores | null;
}

/** Promote or not, and why. */
export interface GateDecision {
  promote: boolean;
  reason: string;
}

/** Scores within this of each other are equal (sums of floating-point ratios). */
const EPSILON = 1e-9;

const f = (v: number) => v.toFixed(4);

/** Applies `rules` to `input`. */
export function gateDecision(input: GateInput, rules: GateRules): GateDecision {
  const verdict = judge(input, rules);
  if (verdict.promote && input.trigger === "labels" && !rules.autoPromote) {
    return {
      promote: false,
      reason: `${verdict.reason}; started by new labels, so it waits as the shadow model for ` +
        "an admin to promote (RETRAIN_AUTO_PROMOTE is off)",
    };
  }
  return verdict;
}

function judge({ evalSize, candidate, active }: GateInput, rules: GateRules): GateDecision {
  if (evalSize < rules.minEval) {
    return {
      promote: false,
      reason: `the evaluation set holds ${evalSize} examples, fewer than RETRAIN_MIN_EVAL ` +
        `(${rules.minEval})`,
    };
  }
  if (!active) return { promote: true, reason: "no model was active to compare with" };
  const fixedDrop = active.fixed - candidate.fixed;
  if (fixedDrop > rules.fixedTolerance + EPSILON) {
    return {
      promote: false,
      reason: `worse than the active model on the fixed evaluation file by ${f(fixedDrop)} ` +
        `macro-F1 (${f(candidate.fixed)} against ${f(active.fixed)}), more than ` +
        `RETRAIN_FIXED_TOLERANCE (${rules.fixedTolerance})`,
    };
  }
  const gain = candidate.all - active.all;
  if (gain < rules.margin - EPSILON) {
    return {
      promote: false,
      reason: `not better than the active model by RETRAIN_MARGIN (${rules.margin}) on the ` +
        `evaluation set: macro-F1 ${f(candidate.all)} against ${f(active.all)}`,
    };
  }
  return {
    promote: true,
    reason: `better than the active model by ${f(gain)} macro-F1 on ${evalSize} examples ` +
      `(${f(candidate.all)} against ${f(active.all)}), and within RETRAIN_FIXED_TOLERANCE on ` +
      `the fixed evaluation file (${f(candidate.fixed)} against ${f(active.fixed)})`,
  };
}
