// The text a model sees for an article, the same for training, ingestion and review.

/** The text a model sees for an article: AG News's own `title . description` shape. */
export function articleText(title: string, body: string): string {
  return body ? `${title} . ${body}` : title;
}
