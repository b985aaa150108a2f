// Labels with too few rows to learn or to score: found before training, then kept (the
// trainer warns), merged into one label, or dropped, as the user chooses. A label of 2 rows
// among 10,000 gets at most one row per cross-fitting fold; its F1 is mostly luck.

/** The default threshold: labels with fewer rows than this are rare. */
export const DEFAULT_MIN_CLASS_ROWS = 10;

/** A rare label and its rows. */
export interface RareLabel {
  label: string;
  rows: number;
}

/** Labels with fewer than `minRows` rows, fewest first (ties by name). */
export function rareLabels(
  examples: ReadonlyArray<{ label: string }>,
  minRows = DEFAULT_MIN_CLASS_ROWS,
): RareLabel[] {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].filter(([, rows]) => rows < minRows)
    .map(([label, rows]) => ({ label, rows }))
    .sort((a, b) => a.rows - b.rows || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/**
 * The examples with every rare label replaced by `into` (`merge`, e.g. "OTHER") or their rows
 * left out (`drop`).
 *
 * @example
 * ```ts
 * const data = [{ text: "a", label: "x" }, { text: "b", label: "y" }];
 * handleRare(data, [{ label: "y", rows: 1 }], { merge: "OTHER" })[1].label; // => "OTHER"
 * ```
 */
export function handleRare<T extends { label: string }>(
  examples: readonly T[],
  rare: readonly RareLabel[],
  how: { merge: string } | { drop: true },
): T[] {
  const names = new Set(rare.map((r) => r.label));
  if ("drop" in how) return examples.filter((e) => !names.has(e.label));
  return examples.map((e) => (names.has(e.label) ? { ...e, label: how.merge } : e));
}
