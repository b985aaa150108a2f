/**
 * An article as sent turned into the row ingestion stores: text without NULs, trimmed, its
 * content hash, and the dedup key that tells whether it is stored already.
 */
import { createHash } from "node:crypto";
import type { NewArticle } from "../db/articles.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { canonicalUrl } from "./canonical_url.ts";

/** sha256 of the title and body, lower-cased, in Unicode NFC, with white space folded. */
export function contentHash(title: string, body: string): string {
  // NFC after lower-casing: an accent written apart (e + U+0301) or composed (é) hashes alike.
  const norm = (s: string) => s.toLowerCase().normalize("NFC").replace(/\s+/g, " ").trim();
  return createHash("sha256").update(norm(title)).update("\n").update(norm(body)).digest("hex");
}

/**
 * What makes two articles the same: the sender's external id when given (in
 * NFC), else the url in its canonical form (services/canonical_url.ts), else
 * the content.
 */
export function dedupKey(a: ArticleInput, hash: string): string {
  if (a.externalId) return `ext:${a.externalId.normalize("NFC")}`;
  if (a.url) return `url:${canonicalUrl(a.url)}`;
  return `hash:${hash}`;
}

/** PostgreSQL text cannot hold NUL; data sets occasionally carry one. */
const stripNul = (s: string) => s.includes("\u0000") ? s.replaceAll("\u0000", "") : s;

export function toNewArticle(a: ArticleInput): NewArticle {
  const title = stripNul(a.title).trim();
  const body = stripNul(a.body).trim();
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
