/** The articles pages' data: a filtered page of articles, and one article with all about it. */
import { getStory } from "../../../../db/stories.ts";
import { getArticle, listArticles } from "../../../../db/articles.ts";
import type { Db } from "../../../../db/mod.ts";
import { predictionsFor } from "../../../../db/predictions.ts";
import {
  getReviewItem,
  itemLabels,
  listAudit,
  type ReviewItem,
} from "../../../../db/review/mod.ts";
import { AppError } from "../../../../lib/errors.ts";
import { similarArticles } from "../../../../services/similar_articles.ts";
import { taxonomyChoice } from "../taxonomy.ts";

export async function articlesData(
  db: Db,
  filter: {
    q?: string;
    source?: string;
    language?: string;
    since?: string;
    until?: string;
    beforeId?: number;
    label?: string;
    taxonomy?: string;
  },
) {
  const limit = 25;
  const choice = await taxonomyChoice(db, filter.taxonomy);
  const rows = await listArticles(db, { ...filter, taxonomy: choice.taxonomy, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return {
    items,
    nextBeforeId: rows.length > limit ? items[items.length - 1].id : null,
    ...choice,
  };
}

/** Other articles of an article's story listed on its page at most. */
const STORY_ARTICLES_SHOWN = 20;

/** The article page lists this many similar articles, published within this many days. */
const SIMILAR_SHOWN = 8;

const SIMILAR_DAYS = 7;

export async function articleData(db: Db, id: number) {
  const article = await getArticle(db, id);
  if (!article) throw new AppError(404, "articleNotFound", `No article ${id}.`);
  const [predictions, reviews, history, story, similar] = await Promise.all([
    predictionsFor(db, id),
    reviewItemsOfArticle(db, id),
    listAudit(db, { articleId: id, limit: 200 }),
    article.story === null ? null : getStory(db, article.story, STORY_ARTICLES_SHOWN + 1),
    similarArticles(db, id, { days: SIMILAR_DAYS, limit: SIMILAR_SHOWN }),
  ]);
  const decisions = await Promise.all(reviews.map((r) => itemLabels(db, r.id)));
  return { article, predictions, reviews, decisions: decisions.flat(), history, story, similar };
}

/** Review items of one article (an article has one per model version at most). */
async function reviewItemsOfArticle(db: Db, articleId: number): Promise<ReviewItem[]> {
  const audit = await listAudit(db, { articleId, event: "queued", limit: 50 });
  const ids = [...new Set(audit.map((a) => a.itemId))];
  const items = await Promise.all(ids.map((id) => getReviewItem(db, id)));
  return items.filter((i): i is ReviewItem => i !== null);
}
