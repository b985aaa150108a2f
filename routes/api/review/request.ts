/**
 * What review handlers check beyond their zod schemas: who the reviewer is,
 * and ranges that span two fields.
 */
import { AppError } from "../../../lib/errors.ts";

/** The reviewer: the API-key name the middleware authenticated. */
export function reviewerOf(c: { get(key: "principal"): string | undefined }): string {
  const principal = c.get("principal");
  if (!principal) {
    throw new AppError(401, "unauthorized", "This request needs an x-api-key header.");
  }
  return principal;
}

/** 422 when `since` is not before `until` or `minScore` exceeds `maxScore`. */
export function checkRange(
  filter: { since?: string; until?: string; minScore?: number; maxScore?: number },
): void {
  if (filter.since && filter.until && Date.parse(filter.since) >= Date.parse(filter.until)) {
    throw new AppError(422, "invalidRange", "`since` must be before `until`.");
  }
  if (
    filter.minScore !== undefined && filter.maxScore !== undefined &&
    filter.minScore > filter.maxScore
  ) {
    throw new AppError(422, "invalidRange", "`minScore` must not exceed `maxScore`.");
  }
}
