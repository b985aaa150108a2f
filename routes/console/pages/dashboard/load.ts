/** The dashboard's data: readiness, request figures, review throughput and a trends chart. */
import { readiness } from "../../../../db/migrate.ts";
import type { Db } from "../../../../db/mod.ts";
import { listAudit, reviewCounts } from "../../../../db/review/mod.ts";
import type { Metrics } from "../../../../lib/metrics.ts";
import { DEFAULT_TAXONOMY } from "../../../../services/taxonomies.ts";
import { taxonomyChoice } from "../taxonomy.ts";
import { trendsForPage } from "../trends/load.ts";

export async function dashboardData(db: Db, metrics: Metrics, asked?: string) {
  const { database, migrations } = await readiness(db);
  const choice = database === "ok"
    ? await taxonomyChoice(db, asked)
    : { taxonomies: [DEFAULT_TAXONOMY], taxonomy: DEFAULT_TAXONOMY };
  const { taxonomy } = choice;
  const [m, counts, decided, trends] = await Promise.all([
    metrics.json(),
    database === "ok" ? reviewCounts(db, taxonomy) : null,
    database === "ok" ? listAudit(db, { event: "decided", limit: 500 }) : [],
    database === "ok" ? trendsForPage(db, { taxonomy }).catch(() => null) : null,
  ]);
  const now = Date.now();
  const within = (ms: number) => decided.filter((a) => now - Date.parse(a.at) <= ms).length;
  return {
    ...choice,
    ready: database === "ok" && migrations === "current",
    database,
    migrations,
    metrics: m,
    counts,
    throughput: {
      lastHour: within(3_600_000),
      lastDay: within(86_400_000),
      capped: decided.length >= 500,
    },
    trends,
  };
}
