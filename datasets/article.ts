/**
 * An incoming article as plain data: what a sender posts and what every data set
 * reader yields. It lives at the bottom, beside the readers, so that ingestion
 * (above) and the readers share it without the readers depending on ingestion.
 */

/** An article as senders give it (already schema-validated): the stored fields ingestion does not derive. */
export interface ArticleInput {
  externalId?: string | null;
  url?: string | null;
  title: string;
  body: string;
  source?: string | null;
  category?: string | null;
  language?: string | null;
  /** ISO 8601; the ingestion time when absent. */
  publishedAt?: string | null;
}
