/** The runs page's data: the newest training runs and two of them compared. */
import type { Db } from "../../../../db/mod.ts";
import { getRun, listRuns } from "../../../../db/training_runs.ts";
import {
  compareRuns,
  type RunComparison,
  type RunSummary,
  summarizeRun,
} from "../../../../services/training_runs.ts";

/** Runs shown on the runs page (newest first). */
export const RUNS_PAGE_LIMIT = 100;

export interface RunsPageData {
  runs: RunSummary[];
  /** The two runs asked for, compared (the same comparison as `runs compare`). */
  comparison: RunComparison | null;
  /** Why there is no comparison though two runs were asked for. */
  problem: string | null;
}

/** The newest runs and, when `a` and `b` name two runs, their comparison. */
export async function runsData(
  db: Db,
  pick: { a?: number; b?: number },
): Promise<RunsPageData> {
  const runs = (await listRuns(db, { limit: RUNS_PAGE_LIMIT })).map(summarizeRun);
  if (pick.a === undefined || pick.b === undefined) {
    const one = pick.a ?? pick.b;
    const problem = one === undefined ? null : "Choose two runs to compare: one A and one B.";
    return { runs, comparison: null, problem };
  }
  const [a, b] = await Promise.all([getRun(db, pick.a), getRun(db, pick.b)]);
  const missing = !a ? pick.a : !b ? pick.b : null;
  if (missing !== null) return { runs, comparison: null, problem: `No training run ${missing}.` };
  return { runs, comparison: compareRuns(a!, b!), problem: null };
}
