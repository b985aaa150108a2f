/**
 * Ingestion shared by the API and `newsintel seed`: turns validated input into
 * rows (content hash, dedup key) and stores a batch in one transaction.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/mod.ts";
import { insertArticles, type InsertOutcome, type NewArticle } from "../db/articles.ts";
import { insertPredictions } from "../db/predictions.ts";
import type { ModelRuntime } from "./model_runtime.ts";
import { articleText } from "./training.ts";

/** An article as senders give it (already schema-validated). */
export interface ArticleInput {
  externalId?: string | null;
  url?: string | null;
  title: string;
  body: string;
  source?: string | null;
  category?: string | null;
  language?: string | null;
  publishedAt?: string | null;
}

/** sha256 of the title and body, lower-cased with white space folded. */
export function contentHash(title: string, body: string): string {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  return createHash("sha256").update(norm(title)).update("\n").update(norm(body)).digest("hex");
}

/**
 * What makes two articles the same: the sender's external id when given,
 * else the url, else the content.
 */
export function dedupKey(a: ArticleInput, hash: string): string {
  if (a.externalId) return `ext:${a.externalId}`;
  if (a.url) return `url:${a.url}`;
  return `hash:${hash}`;
}

export function toNewArticle(a: ArticleInput): NewArticle {
  const title = a.title.trim();
  const body = a.body.trim();
  const hash = contentHash(title, body);
  return {
    externalId: a.externalId ?? null,
    url: a.url ?? null,
    title,
    body,
    source: a.source ?? null,
    category: a.category ?? null,
    language: a.language ?? null,
    publishedAt: a.publishedAt ?? null,
    contentHash: hash,
    dedupKey: dedupKey(a, hash),
  };
}

/**
 * Stores a batch atomically; outcomes are in input order. With a model
 * runtime serving a model, every newly stored article is classified and its
 * prediction stored in the same transaction.
 */
export function ingestArticles(
  db: Db,
  inputs: ArticleInput[],
  models?: ModelRuntime | null,
): Promise<InsertOutcome[]> {
  const rows = inputs.map(toNewArticle);
  return db.transaction(async (tx) => {
    const outcomes = await insertArticles(tx, rows);
    const created = outcomes.flatMap((o, i) => (o.status === "created" ? [i] : []));
    if (models?.current() && created.length > 0) {
      const { model, predictions } = await models.classify(
        created.map((i) => articleText(rows[i].title, rows[i].body)),
      );
      await insertPredictions(
        tx,
        created.map((i, j) => ({
          articleId: outcomes[i].id,
          modelVersion: model.version,
          ...predictions[j],
        })),
      );
    }
    return outcomes;
  });
}
