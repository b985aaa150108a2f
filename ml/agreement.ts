/**
 * Inter-annotator agreement: percent agreement, Cohen's kappa for two raters
 * and Fleiss' kappa for many. Written here rather than taken from a package:
 * the formulas are a few lines, and the npm statistics packages either lack
 * Fleiss' kappa or pull in a numeric stack for it.
 */

/**
 * Cohen's kappa of two raters over the same items, `pairs[i] = [a, b]` being
 * their categories for item i. Null when it is undefined: no items, or both
 * raters always used one and the same category (chance agreement is 1).
 *
 * @example
 * ```ts
 * cohenKappa([["x", "x"], ["y", "y"], ["x", "y"], ["y", "y"]]); // 0.5
 * ```
 */
export function cohenKappa(pairs: ReadonlyArray<readonly [string, string]>): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  const observed = agree / n;
  let chance = 0;
  for (const [category, count] of a) chance += (count / n) * ((b.get(category) ?? 0) / n);
  if (chance >= 1) return null;
  return (observed - chance) / (1 - chance);
}

/** Share of items on which two raters chose the same category (null without items). */
export function percentAgreement(pairs: ReadonlyArray<readonly [string, string]>): number | null {
  if (pairs.length === 0) return null;
  return pairs.filter(([x, y]) => x === y).length / pairs.length;
}

/**
 * Fleiss' kappa: `items[i]` lists the categories item i received, one per
 * rater, at least two per item (items with fewer are ignored). With the same
 * number of raters on every item this is exactly Fleiss (1971); with varying
 * numbers, each item's agreement is computed over its own raters and category
 * shares are weighted by ratings. Null when undefined (no items, or one
 * category used throughout).
 *
 * @example
 * ```ts
 * fleissKappa([["A", "A", "A"], ["A", "A", "B"], ["B", "B", "B"]]); // 0.55
 * ```
 */
export function fleissKappa(items: ReadonlyArray<readonly string[]>): number | null {
  const rated = items.filter((ratings) => ratings.length >= 2);
  if (rated.length === 0) return null;
  const totals = new Map<string, number>();
  let ratings = 0;
  let sumP = 0;
  for (const item of rated) {
    const counts = new Map<string, number>();
    for (const c of item) counts.set(c, (counts.get(c) ?? 0) + 1);
    let squares = 0;
    for (const [c, k] of counts) {
      squares += k * k;
      totals.set(c, (totals.get(c) ?? 0) + k);
    }
    const m = item.length;
    sumP += (squares - m) / (m * (m - 1));
    ratings += m;
  }
  const observed = sumP / rated.length;
  let chance = 0;
  for (const k of totals.values()) chance += (k / ratings) ** 2;
  if (chance >= 1) return null;
  return (observed - chance) / (1 - chance);
}

/** One rating: `rater` put `item` in `category`. */
export interface Rating {
  item: number;
  rater: string;
  category: string;
}

export interface PairAgreement {
  raters: [string, string];
  /** Items both rated. */
  items: number;
  percent: number | null;
  kappa: number | null;
}

export interface RaterAgreement {
  rater: string;
  /** Items this rater shares with at least one other rater. */
  items: number;
  /** Share of this rater's pairings with co-raters (same item) that agree. */
  percent: number | null;
}

export interface AgreementSummary {
  /** Items with at least two ratings. */
  items: number;
  pairs: PairAgreement[];
  raters: RaterAgreement[];
  fleissKappa: number | null;
  /** Share of rating pairs on the same item that agree, over all items. */
  percent: number | null;
}

/** Pairwise Cohen's kappa for every two raters who share items, and Fleiss' kappa overall. */
export function agreementSummary(ratings: readonly Rating[]): AgreementSummary {
  const byItem = new Map<number, Map<string, string>>();
  for (const r of ratings) {
    let m = byItem.get(r.item);
    if (!m) byItem.set(r.item, m = new Map());
    m.set(r.rater, r.category);
  }
  const pairs = new Map<string, Array<[string, string]>>();
  const multi: string[][] = [];
  let agreeingPairs = 0;
  let allPairs = 0;
  const perRater = new Map<string, { items: number; pairs: number; agree: number }>();
  const tally = (rater: string, agree: boolean) => {
    const t = perRater.get(rater)!;
    t.pairs++;
    if (agree) t.agree++;
  };
  for (const raters of byItem.values()) {
    if (raters.size < 2) continue;
    const entries = [...raters].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    multi.push(entries.map(([, c]) => c));
    for (const [rater] of entries) {
      const t = perRater.get(rater) ?? { items: 0, pairs: 0, agree: 0 };
      t.items++;
      perRater.set(rater, t);
    }
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const key = JSON.stringify([entries[i][0], entries[j][0]]);
        let list = pairs.get(key);
        if (!list) pairs.set(key, list = []);
        list.push([entries[i][1], entries[j][1]]);
        allPairs++;
        const agree = entries[i][1] === entries[j][1];
        if (agree) agreeingPairs++;
        tally(entries[i][0], agree);
        tally(entries[j][0], agree);
      }
    }
  }
  return {
    items: multi.length,
    pairs: [...pairs].map(([key, list]) => ({
      raters: JSON.parse(key) as [string, string],
      items: list.length,
      percent: percentAgreement(list),
      kappa: cohenKappa(list),
    })),
    raters: [...perRater].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([rater, t]) => ({
      rater,
      items: t.items,
      percent: t.pairs === 0 ? null : t.agree / t.pairs,
    })),
    fleissKappa: fleissKappa(multi),
    percent: allPairs === 0 ? null : agreeingPairs / allPairs,
  };
}
