/** Number, share and date formatting for the console pages ("–" for a missing value). */

export function pct(p: number | null | undefined, digits = 0): string {
  return p === null || p === undefined || !Number.isFinite(p)
    ? "–"
    : `${(p * 100).toFixed(digits)}%`;
}

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US");
}

/** `2018-05-26 14:03` (UTC), compact and unambiguous. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace("T", " ");
}

export function day(iso: string | null | undefined): string {
  return iso ? when(iso).slice(0, 10) : "–";
}
