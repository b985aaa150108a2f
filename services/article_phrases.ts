/**
 * Two-word phrases for articles stored before they were counted (migration 0013): `serve`
 * adds them at start, a batch at a time, so the rising terms of older data name phrases too.
 */
import type { Db } from "../db/mod.ts";
import { addArticlePhrases, articlesWithPendingPhrases } from "../db/article_phrases.ts";
import { articleTerms } from "../ml/terms.ts";
import { isPhrase } from "../ml/trends.ts";

/** Articles read and updated per transaction. */
const PHRASES_BATCH = 500;

/**
 * Adds the phrases of every article marked `phrases_pending` to its stored terms and to the
 * trend statistics, `PHRASES_BATCH` articles per transaction. Returns how many it updated;
 * one indexed query when there are none.
 */
export async function addPhrasesToOlderArticles(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const batch = await articlesWithPendingPhrases(tx, PHRASES_BATCH);
      await addArticlePhrases(
        tx,
        batch.map((article) => ({
          article,
          phrases: new Map(
            [...articleTerms(article.title, article.body)].filter(([t]) => isPhrase(t)),
          ),
        })),
      );
      return batch.length;
    });
    total += n;
    if (n < PHRASES_BATCH) return total;
  }
}
