/** The record every data set reader yields, and the mapping from loose JSON objects. */
import type { ArticleInput } from "./article.ts";

/** An article from a data set, with its topic label when the data set has one. */
export interface DatasetRecord extends ArticleInput {
  /** Gold topic label (AG News `gt`, BBC folder name, JSON `label`). */
  label?: string;
}

/** A data set that cannot be read as given (names the file, and the line when there is one). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}

/** AG News class names, by the data's 0-based label. */
export const AG_NEWS_LABELS = ["World", "Sports", "Business", "Sci/Tech"] as const;

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined;

/**
 * Splits AG News style text, `"<title> . <description>"`, at its first ` . `;
 * text without one becomes a title of its first 160 characters and the whole text as body.
 */
export function splitTitle(text: string): { title: string; body: string } {
  const at = text.indexOf(" . ");
  if (at > 0 && at < 300) {
    return { title: text.slice(0, at).trim(), body: text.slice(at + 3).trim() };
  }
  const title = text.length <= 160 ? text : text.slice(0, 160).replace(/\s+\S*$/, "") + "…";
  return { title: title.trim(), body: text.trim() };
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return undefined;
  }
}

/**
 * Maps a loose object (JSON Lines row, parquet row) to a record. Understands
 * our own field names, HuffPost's (`headline`, `short_description`, `link`,
 * `date`) and plain `text`/`label` training rows. Returns null when the object
 * has no usable text.
 */
export function recordFromObject(
  o: Record<string, unknown>,
  labelNames?: readonly string[],
): DatasetRecord | null {
  const url = str(o.url) ?? str(o.link);
  let title = str(o.title) ?? str(o.headline);
  let body = str(o.body) ?? str(o.description) ?? str(o.short_description) ?? str(o.content) ??
    (str(o.title) ?? str(o.headline) ? str(o.text) : undefined);
  const text = str(o.text);
  if (!title && text) ({ title, body } = splitTitle(text));
  if (!title) return null;
  const rawLabel = o.label ?? o.topic;
  const label = typeof rawLabel === "number" && labelNames?.[rawLabel]
    ? labelNames[rawLabel]
    : str(rawLabel);
  const published = str(o.published_at) ?? str(o.publishedAt) ?? str(o.date);
  return {
    externalId: str(o.external_id) ?? str(o.externalId) ?? str(o.id) ?? null,
    url: url ?? null,
    title: title.trim(),
    body: (body ?? "").trim(),
    source: str(o.source) ?? hostOf(url) ?? null,
    category: str(o.category) ?? null,
    language: str(o.language) ?? null,
    publishedAt: published && !Number.isNaN(Date.parse(published))
      ? new Date(published).toISOString()
      : null,
    label,
  };
}
