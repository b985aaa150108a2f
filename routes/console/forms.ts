/**
 * Console form and query input: the body limit and parser for form posts,
 * and the small, forgiving readers pages use for their query strings (a bad
 * value is dropped, never an error).
 */
import { inYearRange } from "../../lib/bounds.ts";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { REVIEW_REASONS, REVIEW_STATUSES, type ReviewFilter } from "../../db/review/mod.ts";
import { TAXONOMY_NAME } from "../../db/models.ts";
import { AppError } from "../../lib/errors.ts";
import { FORM_MAX_BYTES } from "../body_limit.ts";

/**
 * The body limit for console form posts, per route (the console is mounted at
 * "/" beside the API). The app's own limit of every path (routes/body_limit.ts)
 * already holds them to the same size; this keeps the console's forms bounded
 * wherever the console is mounted.
 */
export const formLimit = bodyLimit({
  maxSize: FORM_MAX_BYTES,
  onError: () => {
    throw new AppError(413, "payloadTooLarge", "The form is too large.");
  },
});

/** Form fields (urlencoded or multipart) as strings; files are ignored. */
export async function formBody(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!/application\/x-www-form-urlencoded|multipart\/form-data/.test(type)) return {};
  const parsed = await c.req.parseBody().catch(() => ({}));
  return Object.fromEntries(
    Object.entries(parsed).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
}

/** `YYYY-MM-DD` → ISO start of that UTC day (`plusDays` later), or undefined. */
export function dayStart(value: string | undefined, plusDays = 0): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  // Years the database and the trends can hold (lib/bounds.ts); 9999-12-31 plus a day
  // would be year 10000, which PostgreSQL cannot parse.
  if (!inYearRange(`${value}T00:00:00Z`)) return undefined;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : new Date(t + plusDays * 86_400_000).toISOString();
}

/** `v` if it is one of `list`, else undefined. */
export function oneOf<T extends string>(list: readonly T[], v: string | undefined): T | undefined {
  return list.includes(v as T) ? v as T : undefined;
}

/** `v` without surrounding blanks, if non-empty, at most `max` long and free of NULs. */
export function trimmed(v: string | undefined, max = 200): string | undefined {
  const s = v?.trim();
  return s && s.length <= max && !s.includes("\u0000") ? s : undefined;
}

/** `v` if it can name a taxonomy (`topic`, `section`, …), else undefined. */
export function taxonomyParam(v: string | undefined): string | undefined {
  return v !== undefined && TAXONOMY_NAME.test(v) ? v : undefined;
}

/** The filters a bulk accept (and the queue page) take, from form or query strings. */
export function reviewFilter(p: Record<string, string | undefined>): ReviewFilter {
  const minScore = p.minScore ? Number(p.minScore) : undefined;
  return {
    status: oneOf(REVIEW_STATUSES, p.status),
    reason: oneOf(REVIEW_REASONS, p.reason),
    label: trimmed(p.label),
    source: trimmed(p.source),
    taxonomy: taxonomyParam(p.taxonomy),
    minScore: minScore !== undefined && minScore >= 0 && minScore <= 1 ? minScore : undefined,
    since: dayStart(p.since),
    until: dayStart(p.until, 1),
  };
}

/** `o` without its undefined fields. */
export function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
