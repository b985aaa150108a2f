/**
 * Many decisions, and many releases, in one call: what the review desk sends as
 * its page goes (or after a spell offline). Each decision is its own transaction,
 * so one refused (the item taken, the lease lost) never undoes the others, and
 * each carries its client's decision id, so a batch sent twice is stored once.
 */
import type { Db } from "../mod.ts";
import { releaseItem, releaseUnderDesk } from "./claim.ts";
import { decide } from "./decide.ts";
import type { DecideOutcome, ReleaseOutcome } from "./outcomes.ts";
import type { Decision } from "./types.ts";

/** A decision of a batch: the item, the client's id for the decision, the decision. */
export interface BatchDecision extends Decision {
  itemId: number;
  decisionId: string;
}

/** Each decision's outcome, in the order given. */
export async function decideMany(
  db: Db,
  reviewer: string,
  decisions: readonly BatchDecision[],
): Promise<DecideOutcome[]> {
  const outcomes: DecideOutcome[] = [];
  // One after another, in the order made: a later decision may depend on an earlier
  // (the same item decided, undone elsewhere and decided again is two ids, in order).
  for (const { itemId, decisionId, ...decision } of decisions) {
    outcomes.push(await decide(db, reviewer, itemId, decision, { decisionId }));
  }
  return outcomes;
}

/**
 * Gives back each of `itemIds` that `reviewer` holds, and then what they still hold under
 * the closed review desk `desk` (`deskItems`, from closeDesk) unless a later desk took it
 * over meanwhile; each outcome, in order.
 */
export async function releaseMany(
  db: Db,
  reviewer: string,
  itemIds: readonly number[],
  under: { desk: string; deskItems: readonly number[] } | null = null,
): Promise<ReleaseOutcome[]> {
  const outcomes: ReleaseOutcome[] = [];
  const given = new Set(itemIds);
  for (const id of given) outcomes.push(await releaseItem(db, reviewer, id));
  for (const id of new Set(under?.deskItems ?? [])) {
    if (given.has(id)) continue;
    const outcome = await releaseUnderDesk(db, reviewer, id, under!.desk);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}
