/** Review items for the desk's tests. */
import type { ReviewItem } from "../../../islands/types.ts";

/** A review item with the given id (labels World/Sports, model says World). */
export function reviewItem(id: number, over: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id,
    articleId: 100 + id,
    modelVersion: "m1",
    labels: ["World", "Sports"],
    predictedLabel: "World",
    score: 0.6,
    scores: { World: 0.6, Sports: 0.4 },
    margin: 0.2,
    reasons: ["low_confidence"],
    shadowLabel: null,
    status: "claimed",
    leaseExpiresAt: "2026-01-01T00:00:00Z",
    finalLabel: null,
    finalFlag: null,
    article: {
      id: 100 + id,
      title: `Article ${id}`,
      source: null,
      url: null,
      language: "en",
      publishedAt: "2026-01-01T00:00:00Z",
    },
    ...over,
  };
}
