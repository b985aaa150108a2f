/**
 * `serve`'s background work on the primary: the backfills that bring data stored by an
 * older version up to date before it is ready, and the recurring chores that run while it
 * serves.
 */
import { foldPendingStats } from "../db/trends.ts";
import { syncReviewedTopics } from "../db/topics.ts";
import { analyzeGrowingTables, vacuumChurningTables } from "../db/maintenance.ts";
import type { Db } from "../db/mod.ts";
import type { Config } from "../lib/config.ts";
import { logger } from "../lib/log.ts";
import type { Retrainer } from "../services/retrain.ts";
import { fillArticleTerms, rollUpPastMonths } from "../services/trends.ts";
import { addPhrasesToOlderArticles } from "../services/article_phrases.ts";
import { fillStories } from "../services/stories.ts";
import { failAbandonedRuns } from "../db/training_runs.ts";
import { pruneAccessAudit } from "../db/access_audit.ts";
import { upgradeDedupKeys } from "../services/dedup_upgrade.ts";

const log = logger("serve");

/** How often the term counts of past months are rolled up (see services/trends.ts). */
const ROLL_UP_MS = 60_000;

/** How often ingested articles' statistics are added to the trend counters. */
const FOLD_MS = 1_000;

/** How often the primary checks whether RETRAIN_AFTER_LABELS new labels came in. */
const RETRAIN_CHECK_MS = 60_000;

/** How often the embedded database is vacuumed and analyzed (db/maintenance.ts). */
const VACUUM_MS = 10 * 60_000;
const ANALYZE_MS = 60 * 60_000;

/** How often access audit entries past ACCESS_AUDIT_RETENTION_DAYS are deleted. */
const AUDIT_PRUNE_MS = 60 * 60_000;

/** How often a batch of older articles is re-keyed under the normalised dedup keys. */
const REKEY_MS = 1_000;

/**
 * The background task that brings articles stored before dedup keys were
 * normalised under the new keys, a batch a run (services/dedup_upgrade.ts);
 * once done it does nothing. Ingestion meanwhile is safe: a new copy of an
 * article not yet re-keyed is stored, and the re-keying then keeps the older.
 */
function rekeyInBackground(db: Db): () => Promise<void> {
  let done = false;
  const total = { rekeyed: 0, duplicates: 0 };
  return async () => {
    if (done) return;
    const batch = await upgradeDedupKeys(db);
    total.rekeyed += batch.rekeyed;
    total.duplicates += batch.duplicates;
    done = batch.done;
    if (done && (total.rekeyed || total.duplicates)) {
      log.info(
        "re-keyed {rekeyed} older articles under normalised dedup keys; " +
          "{duplicates} newer copies of one article kept keys of their own",
        total,
      );
    }
  };
}

/**
 * Runs `task` every `ms`, never two at once; a failure is logged once, when a
 * run of failures starts (the database may be away for a while), and the
 * recovery too. Returns the function that stops it, which resolves once a run in
 * flight has ended.
 */
export function repeat(
  ms: number,
  what: string,
  task: () => Promise<unknown>,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let failing = false;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      try {
        await task();
        if (failing) log.info("{what}: working again", { what });
        failing = false;
      } catch (error) {
        if (!failing) log.warn("{what} failed: {error}", { what, error });
        failing = true;
      } finally {
        running = null;
      }
    })();
  }, ms);
  // The database closes after the chores stop: a run in flight must end first.
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * A start-up step that brings data stored by an older version up to date, once, before the
 * primary is ready: `phase` is what `/ready` says meanwhile, `report` logs what it did.
 */
interface Backfill {
  phase: string;
  run: (db: Db) => Promise<number>;
  report: (count: number) => void;
  /** Whether it runs under `config` (default: always). */
  when?: (config: Config) => boolean;
}

/** The primary's backfills, in order; each does nothing when there is nothing left to do. */
const BACKFILLS: Backfill[] = [
  {
    phase: "storing the terms of older articles",
    run: fillArticleTerms,
    report: (filled) => log.info("stored the terms of {filled} older articles", { filled }),
  },
  {
    phase: "counting the phrases of older articles",
    run: addPhrasesToOlderArticles,
    report: (phrased) => log.info("counted the phrases of {phrased} older articles", { phrased }),
  },
  {
    phase: "failing training runs a killed process left running",
    run: failAbandonedRuns,
    report: (abandoned) =>
      log.warn("failed {abandoned} training runs abandoned by a stopped process", {
        abandoned,
      }),
  },
  {
    phase: "grouping older articles into stories",
    run: fillStories,
    report: (grouped) => log.info("grouped {grouped} older articles into stories", { grouped }),
    when: (config) => config.storyGrouping,
  },
  {
    phase: "applying settled reviews to article topics",
    run: syncReviewedTopics,
    report: (synced) => log.info("set the reviewed topic of {synced} articles", { synced }),
  },
];

/**
 * Runs the backfills in order, `setPhase` naming each while it runs, then rolls up past
 * months' term counts and prunes the access audit once; returns the pruning, which the
 * chores repeat.
 */
export async function runBackfills(
  db: Db,
  config: Config,
  setPhase: (phase: string) => void,
): Promise<() => Promise<void>> {
  for (const backfill of BACKFILLS) {
    if (backfill.when && !backfill.when(config)) continue;
    setPhase(backfill.phase);
    const count = await backfill.run(db);
    if (count) backfill.report(count);
  }
  await rollUpPastMonths(db);
  const pruneAudit = () =>
    pruneAccessAudit(db, { days: config.accessAuditRetentionDays }).then((deleted) => {
      if (deleted) log.info("deleted {deleted} access audit entries", { deleted });
    });
  await pruneAudit();
  return pruneAudit;
}
/**
 * The primary's recurring chores (re-keying, folding trend statistics, roll-ups, audit
 * pruning, due retrains, the embedded database's upkeep); returns the function that stops
 * them all, once the runs in flight have ended.
 */
export function startChores(
  db: Db,
  config: Config,
  retrain: Retrainer,
  pruneAudit: () => Promise<void>,
): () => Promise<void> {
  const chores = [
    repeat(REKEY_MS, "re-keying older articles", rekeyInBackground(db)),
    repeat(FOLD_MS, "adding pending trend statistics", () => foldPendingStats(db)),
    repeat(ROLL_UP_MS, "rolling up term counts", () => rollUpPastMonths(db)),
    repeat(AUDIT_PRUNE_MS, "deleting access audit entries past their retention", pruneAudit),
  ];
  if (config.retrainAfterLabels > 0) {
    chores.push(
      repeat(
        RETRAIN_CHECK_MS,
        "checking for new reviewed labels to retrain on",
        () => retrain.startIfDue(),
      ),
    );
  }
  if (db.kind === "pglite") {
    chores.push(
      repeat(VACUUM_MS, "vacuuming", () => vacuumChurningTables(db)),
      repeat(ANALYZE_MS, "analyzing", () => analyzeGrowingTables(db)),
    );
  }
  return async () => {
    await Promise.all(chores.map((stopChore) => stopChore()));
  };
}
