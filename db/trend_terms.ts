/**
 * Term statistics SQL: the daily term counts kept at ingestion read for a current and a
 * baseline period (whole months from the monthly roll-up, edge days from the daily rows),
 * and the roll-up of finished months.
 */
import type { Db, Queryable } from "./mod.ts";
import { DEFAULT_TAXONOMY } from "./models.ts";
import { dateOnly } from "./trends.ts";
import { inStatements } from "./statements.ts";

/** The first day of the month after the one holding `day` (`YYYY-MM-DD`). */
function nextMonth(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** Term counts of one label in the current and the baseline period. */
export interface PeriodTerms {
  current: Map<string, number>;
  baseline: Map<string, number>;
  /** All words counted in each period. */
  currentTotal: number;
  baselineTotal: number;
  /** All two-word phrases counted in each period. */
  currentPhraseTotal: number;
  baselinePhraseTotal: number;
}

/**
 * Term counts per label in the current period [from, to) and the baseline
 * period [baselineFrom, from), keeping terms seen at least `minCount` times
 * now; one query for all labels (daily resolution).
 */
export async function termCountsForPeriods(
  db: Queryable,
  options: {
    labels: string[];
    baselineFrom: string;
    from: string;
    to: string;
    minCount: number;
    /** The taxonomy whose labels `labels` are; default `topic`. */
    taxonomy?: string;
  },
): Promise<Map<string, PeriodTerms>> {
  const taxonomy = options.taxonomy ?? DEFAULT_TAXONOMY;
  const out = new Map<string, PeriodTerms>(
    options.labels.map((
      t,
    ) => [t, {
      current: new Map(),
      baseline: new Map(),
      currentTotal: 0,
      baselineTotal: 0,
      currentPhraseTotal: 0,
      baselinePhraseTotal: 0,
    }]),
  );
  if (options.labels.length === 0) return out;
  const days = [options.baselineFrom, options.from, options.to].map((d) => d.slice(0, 10));
  // Each period is read as whole months from the monthly counts plus the days
  // at its edges from the daily ones: a few simple range scans.
  const segments: string[] = [];
  const params: unknown[] = [options.labels, options.minCount, taxonomy];
  const range = (kind: "cur" | "base", table: "month" | "day", lo: string, hi: string) => {
    if (lo >= hi) return;
    params.push(lo, hi);
    const [a, b] = [params.length - 1, params.length];
    segments.push(
      table === "month"
        ? `SELECT '${kind}' AS kind, topic, term, count FROM term_counts_monthly
            WHERE taxonomy = $3 AND topic = ANY($1::text[])
              AND month >= $${a}::date AND month < $${b}::date`
        : `SELECT '${kind}' AS kind, topic, term, count FROM term_counts_daily
            WHERE taxonomy = $3 AND topic = ANY($1::text[])
              AND day >= $${a}::date AND day < $${b}::date`,
    );
  };
  // A month is read from the monthly counts only when no label asked for has
  // daily counts newer than its roll-up.
  const dirty = new Set(
    (await db.query<{ month: Date | string }>(
      `SELECT DISTINCT month FROM term_rollup_dirty
        WHERE taxonomy = $4 AND topic = ANY($1::text[]) AND month >= $2::date AND month < $3::date`,
      [options.labels, `${days[0].slice(0, 7)}-01`, days[2], taxonomy],
    )).map((r) => typeof r.month === "string" ? r.month.slice(0, 10) : dateOnly(r.month)),
  );
  const period = (kind: "cur" | "base", lo: string, hi: string) => {
    // Runs of clean whole months come from the monthly counts; everything
    // between them (edge days, changed months) from the daily counts.
    let cursor = lo;
    let runStart: string | null = null;
    for (let m = lo.endsWith("-01") ? lo : nextMonth(lo); nextMonth(m) <= hi; m = nextMonth(m)) {
      if (dirty.has(m)) continue;
      if (runStart === null || cursor !== m) {
        if (runStart !== null) range(kind, "month", runStart, cursor);
        range(kind, "day", cursor, m);
        runStart = m;
      }
      cursor = nextMonth(m);
    }
    if (runStart !== null) range(kind, "month", runStart, cursor);
    range(kind, "day", cursor, hi);
  };
  period("base", days[0], days[1]);
  period("cur", days[1], days[2]);
  const rows = segments.length === 0
    ? []
    : await db.query<{ topic: string; term: string; cur: number; base: number }>(
      `SELECT topic, term,
            coalesce(sum(count) FILTER (WHERE kind = 'cur'), 0)::int AS cur,
            coalesce(sum(count) FILTER (WHERE kind = 'base'), 0)::int AS base
       FROM (${segments.join(" UNION ALL ")}) AS hits
      GROUP BY topic, term
     HAVING coalesce(sum(count) FILTER (WHERE kind = 'cur'), 0) >= $2`,
      params,
    );
  for (const r of rows) {
    const t = out.get(r.topic)!;
    t.current.set(r.term, r.cur);
    if (r.base > 0) t.baseline.set(r.term, r.base);
  }
  const totals = await db.query<
    { topic: string; cur: number; base: number; cur_phrases: number; base_phrases: number }
  >(
    `SELECT topic,
            coalesce(sum(terms) FILTER (WHERE day >= $3::date), 0)::float8 AS cur,
            coalesce(sum(terms) FILTER (WHERE day < $3::date), 0)::float8 AS base,
            coalesce(sum(phrases) FILTER (WHERE day >= $3::date), 0)::float8 AS cur_phrases,
            coalesce(sum(phrases) FILTER (WHERE day < $3::date), 0)::float8 AS base_phrases
       FROM term_totals_daily
      WHERE taxonomy = $5 AND topic = ANY($1::text[]) AND day >= $2::date AND day < $4::date
      GROUP BY topic`,
    [options.labels, ...days, taxonomy],
  );
  for (const r of totals) {
    const t = out.get(r.topic)!;
    t.currentTotal = r.cur;
    t.baselineTotal = r.base;
    t.currentPhraseTotal = r.cur_phrases;
    t.baselinePhraseTotal = r.base_phrases;
  }
  return out;
}

/**
 * (taxonomy, topic, month) pairs one roll-up statement sums at most: a pair reads its
 * month's daily term rows (thousands for a busy label), and the embedded database runs a
 * statement synchronously, so the rows of hundreds of changed months are summed two
 * pairs at a time, with turns of the event loop between them (db/statements.ts).
 */
export const ROLL_UP_PAIRS_PER_STATEMENT = 2;

/**
 * Rolls the daily term counts of changed months before `before` (a month
 * start, `YYYY-MM-DD`) up into the monthly counts, in one transaction per call,
 * {@link ROLL_UP_PAIRS_PER_STATEMENT} (taxonomy, topic, month) pairs a statement.
 * Returns the number of pairs rolled up.
 */
export async function rollUpTermMonths(db: Db, before: string): Promise<number> {
  return await db.transaction(async (tx) => {
    // Housekeeping: after a large import it may take longer than a request may.
    await tx.exec("SET LOCAL statement_timeout = 0");
    const months = await tx.query<{ taxonomy: string; topic: string; month: Date }>(
      `SELECT taxonomy, topic, month FROM term_rollup_dirty WHERE month < $1::date
        ORDER BY taxonomy, topic, month FOR UPDATE SKIP LOCKED`,
      [before],
    );
    const picked =
      `jsonb_to_recordset($1::text::jsonb) AS p(taxonomy text, topic text, month date)`;
    const same = (t: string) =>
      `${t}.taxonomy = p.taxonomy AND ${t}.topic = p.topic AND ${t}.month = p.month`;
    await inStatements(months, async (chunk) => {
      const pairs = JSON.stringify(
        chunk.map((m) => ({ taxonomy: m.taxonomy, topic: m.topic, month: dateOnly(m.month) })),
      );
      await tx.query(
        `DELETE FROM term_counts_monthly m USING ${picked} WHERE ${same("m")}`,
        [pairs],
      );
      await tx.query(
        `INSERT INTO term_counts_monthly (month, taxonomy, topic, term, count)
         SELECT p.month, d.taxonomy, d.topic, d.term, sum(d.count)::int
           FROM ${picked}
           JOIN term_counts_daily d
             ON d.taxonomy = p.taxonomy AND d.topic = p.topic
            AND d.day >= p.month AND d.day < (p.month + interval '1 month')::date
          GROUP BY 1, 2, 3, 4`,
        [pairs],
      );
      await tx.query(
        `DELETE FROM term_rollup_dirty r USING ${picked} WHERE ${same("r")}`,
        [pairs],
      );
    }, ROLL_UP_PAIRS_PER_STATEMENT);
    return months.length;
  });
}
