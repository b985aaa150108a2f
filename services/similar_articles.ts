/**
 * Similar articles: the stored articles nearest to one by its dense vector (word_vectors.ts)
 * and its terms, among a bounded set of candidates published within a window around it.
 */
import type { Queryable } from "../db/mod.ts";
import { articleVector, type VectorCandidate, vectorCandidates } from "../db/article_vectors.ts";
import { cosine } from "../ml/word_vectors.ts";

/** At most this many candidates are scored per request (two bounded index scans). */
export const MAX_CANDIDATES = 1_000;
/** Share of the score from the dense vectors; the rest from shared terms. */
const VECTOR_SHARE = 0.8;

export interface SimilarArticle {
  id: number;
  title: string;
  source: string | null;
  topic: string | null;
  publishedAt: string;
  /** VECTOR_SHARE × cosine of the vectors + the rest × weighted Jaccard of the terms. */
  score: number;
}

/**
 * The `limit` articles most similar to article `id` among those published within `days`
 * of it; null when it has no stored vector (stored before vectors, or by a model without them).
 */
export async function similarArticles(
  db: Queryable,
  id: number,
  options: { days: number; limit: number },
): Promise<SimilarArticle[] | null> {
  const self = await articleVector(db, id);
  if (!self) return null;
  const candidates = await vectorCandidates(db, {
    excludeId: id,
    around: self.publishedAt,
    days: options.days,
    limit: MAX_CANDIDATES,
  });
  return candidates
    .map((c) => ({ c, score: similarity(self, c) }))
    .sort((a, b) => b.score - a.score || a.c.id - b.c.id)
    .slice(0, options.limit)
    .map(({ c, score }) => ({
      id: c.id,
      title: c.title,
      source: c.source,
      topic: c.topic,
      publishedAt: c.publishedAt,
      score: Math.round(score * 1e4) / 1e4,
    }));
}

/** See {@link SimilarArticle.score}. */
export function similarity(a: VectorCandidate, b: VectorCandidate): number {
  return VECTOR_SHARE * cosine(a.vector, b.vector) +
    (1 - VECTOR_SHARE) * termOverlap(a.terms ?? {}, b.terms ?? {});
}

/** Weighted Jaccard of two term → count maps: Σ min / Σ max (0 when both are empty). */
export function termOverlap(a: Record<string, number>, b: Record<string, number>): number {
  let min = 0, max = 0;
  for (const [t, x] of Object.entries(a)) {
    const y = b[t] ?? 0;
    min += Math.min(x, y);
    max += Math.max(x, y);
  }
  for (const [t, y] of Object.entries(b)) if (!(t in a)) max += y;
  return max ? min / max : 0;
}
