/**
 * Export of one taxonomy's finished reviews as JSON Lines or CSV, streamed (one label set
 * per file, so it trains a model of that taxonomy): pages of rows are
 * read by keyset (item id) only when the consumer asks for more, so memory
 * stays bounded by one page however many rows there are. The JSON Lines rows
 * carry `title`, `body` and `label`, so an export is training data for
 * `newsintel train` as it stands; CSV rows are for spreadsheets, their text
 * fields neutralised against formula injection.
 */
import type { Queryable } from "../mod.ts";
import type { FlagReason, ReviewReason } from "./types.ts";

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** Rows per query. */
export const EXPORT_PAGE_SIZE = 1_000;

export interface ExportRow {
  itemId: number;
  /** The taxonomy whose prediction the item reviewed (topic, section, …). */
  taxonomy: string;
  articleId: number;
  externalId: string | null;
  url: string | null;
  source: string | null;
  language: string | null;
  publishedAt: string;
  title: string;
  body: string;
  /** The reviewed label; null when the item was skipped or flagged. */
  label: string | null;
  status: "done" | "skipped" | "flagged";
  flagReason: FlagReason | null;
  predictedLabel: string;
  score: number;
  modelVersion: string;
  reasons: ReviewReason[];
  reviewers: string[];
  adjudicatedBy: string | null;
  decidedAt: string;
}

/** Options of {@link exportPages} and {@link exportStream}. */
export interface ExportOptions {
  pageSize?: number;
  /** Whose reviews (default `topic`). */
  taxonomy?: string;
}

/**
 * Pages of one taxonomy's finished reviews, the latest finished review per
 * article, in item id order; each page is one query, run when the previous
 * page was consumed.
 */
export async function* exportPages(
  db: Queryable,
  options: ExportOptions = {},
): AsyncGenerator<ExportRow[]> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const taxonomy = options.taxonomy ?? "topic";
  let after = 0;
  while (true) {
    const rows = await db.query<{
      id: number;
      taxonomy: string;
      article_id: number;
      external_id: string | null;
      url: string | null;
      source: string | null;
      language: string | null;
      published_at: Date;
      title: string;
      body: string;
      final_label: string | null;
      status: ExportRow["status"];
      final_flag: FlagReason | null;
      predicted_label: string;
      score: number;
      model_version: string;
      reasons: ReviewReason[];
      reviewers: string[];
      adjudicated_by: string | null;
      decided_at: Date;
      latest: boolean;
      page_end: number;
    }>(
      // A page is cut from the primary key first (an index range scan whatever
      // the table statistics say; PGlite never analyzes on its own) and only
      // then filtered, joined and checked for a later finished review of the
      // same article (decided_at is set exactly on finished items), so each
      // page costs O(page), not O(rows left). The cursor is the scan position.
      // The later review's taxonomy is compared with IS NOT DISTINCT FROM (the column is
      // never null, so it means =) because it cannot drive an index: with \`=\`, a planner
      // without statistics looked later reviews up through the (taxonomy, id) index, every
      // row of the taxonomy for each exported row (100k rows: 8 minutes instead of seconds).
      // The taxonomy's items are a range of the (taxonomy, id) index.
      `WITH page AS (
         SELECT * FROM review_items WHERE taxonomy = $3 AND id > $1 ORDER BY id LIMIT $2
       )
       SELECT ri.id, ri.taxonomy, ri.article_id, a.external_id, a.url, a.source, a.language, a.published_at,
              a.title, a.body, ri.final_label, ri.status, ri.final_flag, ri.predicted_label,
              ri.score, ri.model_version, ri.reasons,
              ARRAY(SELECT l.reviewer FROM review_labels l
                     WHERE l.item_id = ri.id AND l.retracted_at IS NULL ORDER BY l.id) AS reviewers,
              ri.adjudicated_by, ri.decided_at,
              ri.status IN ('done', 'skipped', 'flagged') AND NOT EXISTS (
                SELECT 1 FROM review_items later
                 WHERE later.article_id = ri.article_id
                   AND (later.decided_at, later.id) > (ri.decided_at, ri.id)
                   AND later.taxonomy IS NOT DISTINCT FROM ri.taxonomy) AS latest,
              (SELECT max(id) FROM page) AS page_end
         FROM page ri JOIN articles a ON a.id = ri.article_id
        ORDER BY ri.id`,
      [after, pageSize, taxonomy],
    );
    if (rows.length === 0) return;
    after = rows[0].page_end;
    const current = rows.filter((r) => r.latest);
    if (current.length > 0) {
      yield current.map((r) => ({
        itemId: r.id,
        taxonomy: r.taxonomy,
        articleId: r.article_id,
        externalId: r.external_id,
        url: r.url,
        source: r.source,
        language: r.language,
        publishedAt: new Date(r.published_at).toISOString(),
        title: r.title,
        body: r.body,
        label: r.final_label,
        status: r.status,
        flagReason: r.final_flag,
        predictedLabel: r.predicted_label,
        score: r.score,
        modelVersion: r.model_version,
        reasons: r.reasons,
        reviewers: r.reviewers,
        adjudicatedBy: r.adjudicated_by,
        decidedAt: new Date(r.decided_at).toISOString(),
      }));
    }
    if (rows.length < pageSize) return;
  }
}

// New columns go at the end, so spreadsheets built on earlier exports still line up.
const CSV_COLUMNS: Array<keyof ExportRow> = [
  "itemId",
  "articleId",
  "externalId",
  "url",
  "source",
  "language",
  "publishedAt",
  "title",
  "body",
  "label",
  "status",
  "flagReason",
  "predictedLabel",
  "score",
  "modelVersion",
  "reasons",
  "reviewers",
  "adjudicatedBy",
  "decidedAt",
  "taxonomy",
];

/**
 * Text a spreadsheet would run as a formula (or, for tab and carriage return,
 * shift into one): the first characters OWASP lists for CSV injection.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field, quoted per RFC 4180 when needed. By hand: the project has a
 * CSV parser but no writer, and quoting is these few lines. Text that starts
 * like a formula gets a leading `'` (OWASP's advice), so a spreadsheet shows
 * it instead of running it: titles, bodies, sources and reviewer names come from
 * outside. Numbers stay numbers (a negative score is not a formula).
 */
function csvField(value: unknown): string {
  if (typeof value === "number") return String(value);
  let s = value === null || value === undefined
    ? ""
    : Array.isArray(value)
    ? value.join(";")
    : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The header line of the CSV export. */
export const CSV_HEADER = CSV_COLUMNS.join(",") + "\r\n";

/** One page as text in `format`. */
export function formatPage(rows: readonly ExportRow[], format: ExportFormat): string {
  if (format === "jsonl") return rows.map((r) => JSON.stringify(r) + "\n").join("");
  return rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(",") + "\r\n").join("");
}

/**
 * The export as a byte stream that reads one page per pull, so a slow
 * consumer holds the database reads back instead of buffering rows.
 */
export function exportStream(
  db: Queryable,
  format: ExportFormat,
  options: ExportOptions & { onRows?: (n: number) => void } = {},
): ReadableStream<Uint8Array> {
  const pages = exportPages(db, options);
  const encoder = new TextEncoder();
  let headerSent = format !== "csv";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(CSV_HEADER));
        return;
      }
      const next = await pages.next();
      if (next.done) controller.close();
      else {
        options.onRows?.(next.value.length);
        controller.enqueue(encoder.encode(formatPage(next.value, format)));
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  }, { highWaterMark: 1 });
}
