/**
 * Ingestion shared by the API and `newsintel seed`: turns validated input into
 * rows (content hash, dedup key) and stores a batch in one transaction.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/mod.ts";
import { insertArticles, type InsertOutcome, type NewArticle } from "../db/articles.ts";

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

/** Stores a batch atomically; outcomes are in input order. */
export function ingestArticles(db: Db, inputs: ArticleInput[]): Promise<InsertOutcome[]> {
  const rows = inputs.map(toNewArticle);
  return db.transaction((tx) => insertArticles(tx, rows));
}
