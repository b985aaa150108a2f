/** The review desk's words for queue reasons, flag reasons and decisions. */

/** A decision as the desk records it (the label is filled in for an accept). */
export interface Decision {
  action: "accept" | "label" | "skip" | "flag";
  label?: string;
  flagReason?: string;
}

/** Why an item was queued, in words. */
export const REASON_TEXT: Record<string, string> = {
  low_confidence: "low confidence",
  shadow_disagreement: "shadow model disagrees",
  audit: "random audit",
  language: "language outside the model's",
  manual: "queued by hand",
  label_issue: "suspected label error",
};

/** Flag reasons, in words. */
export const FLAG_TEXT: Record<string, string> = {
  not_news: "not news",
  duplicate: "duplicate",
  wrong_language: "wrong language",
  other: "other",
};

/** A suspected label error in words: "given: World · suggested: Business (0.08)". */
export function describeLabelIssue(
  issue: { given: string; suggested: string; score: number },
): string {
  return `given: ${issue.given} · suggested: ${issue.suggested} (${issue.score.toFixed(2)})`;
}

/** A decision in words, as in "#12 accepted World." */
export function describe(d: Decision): string {
  if (d.action === "accept") return `accepted ${d.label ?? ""}`.trim();
  if (d.action === "label") return `labelled ${d.label}`;
  if (d.action === "flag") return `flagged: ${FLAG_TEXT[d.flagReason ?? ""] ?? d.flagReason}`;
  return "skipped";
}
