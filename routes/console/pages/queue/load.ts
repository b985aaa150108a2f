/** The review queue page's data, and the count a bulk accept confirms. */
import type { Db } from "../../../../db/mod.ts";
import {
  listReviewItems,
  newLabelsSinceTraining,
  reviewCounts,
  type ReviewFilter,
} from "../../../../db/review/mod.ts";
import { taxonomyChoice } from "../taxonomy.ts";

export interface QueueQuery extends ReviewFilter {
  order?: "margin" | "oldest" | "newest";
}

/** Review queue figures and the first items matching the filters, of one taxonomy. */
export async function queueData(db: Db, filter: QueueQuery) {
  const { order, ...f } = filter;
  const choice = await taxonomyChoice(db, f.taxonomy);
  const { taxonomy } = choice;
  const [counts, items, learning] = await Promise.all([
    reviewCounts(db, taxonomy),
    listReviewItems(db, { ...f, taxonomy }, { order: order ?? "margin", limit: 50 }),
    newLabelsSinceTraining(db, taxonomy),
  ]);
  return { counts, items, learning, ...choice };
}

/** At most this many matching items are counted before a bulk accept is confirmed. */
export const BULK_COUNT_CAP = 1000;

/** How many open items a bulk accept with `filter` would take (capped). */
export async function countOpen(db: Db, filter: ReviewFilter): Promise<number> {
  const [queued, labelled] = await Promise.all([
    listReviewItems(db, { ...filter, status: "queued" }, { limit: BULK_COUNT_CAP + 1 }),
    listReviewItems(db, { ...filter, status: "labelled" }, { limit: BULK_COUNT_CAP + 1 }),
  ]);
  return queued.length + labelled.length;
}
