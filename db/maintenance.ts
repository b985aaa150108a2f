/**
 * Housekeeping PostgreSQL's autovacuum does by itself, but PGlite (one backend,
 * no background workers) never does: reclaiming the dead rows of tables updated
 * all the time, and refreshing the planner's statistics as tables grow.
 */
import type { Db } from "./mod.ts";

/** Small tables rewritten constantly (queues and counters): vacuumed often, quickly. */
const CHURNING = [
  "trend_stats_pending",
  "article_counts_hourly",
  "article_counts_daily",
  "term_totals_daily",
  "term_rollup_dirty",
  "review_items",
];

/** Large tables that mostly grow: their statistics are refreshed, less often. */
const GROWING = ["articles", "predictions", "term_counts_daily", "term_counts_monthly"];

/** Vacuums and analyzes the churning tables (`serve` runs it on PGlite only). */
export async function vacuumChurningTables(db: Db): Promise<void> {
  await db.exec(`VACUUM (ANALYZE) ${CHURNING.join(", ")}`);
}

/** Refreshes the planner statistics of the growing tables (`serve` runs it on PGlite only). */
export async function analyzeGrowingTables(db: Db): Promise<void> {
  await db.exec(`ANALYZE ${GROWING.join(", ")}`);
}
