/**
 * Metrics of several `serve` processes (`WORKERS > 1`) served as one: each
 * process writes its prom-client registry as JSON to a shared directory every
 * few seconds, and whichever process answers `/metrics` adds the others' latest
 * snapshots to its own with prom-client's `AggregatorRegistry`. So counters and
 * histograms are totals of all workers, at most `PUBLISH_MS` behind.
 */
import client from "prom-client";
import { join } from "node:path";
import { logger } from "./log.ts";

const log = logger("metrics");

/** How often each process publishes its snapshot. */
export const PUBLISH_MS = 5_000;
/** Snapshots older than this belong to a process that has gone; they are ignored. */
const STALE_MS = 30_000;

type Snapshot = client.MetricObjectWithValues<client.MetricValue<string>>[];

export interface MetricsShare {
  /** The registry with every live process's metrics added together. */
  aggregate(): Promise<client.Registry>;
  /** How many processes the last `aggregate()` covered. */
  processes(): number;
  close(): Promise<void>;
}

/** Publishes `registry` as `DIR/PID.json` and reads the other processes' snapshots. */
export async function shareMetrics(registry: client.Registry, dir: string): Promise<MetricsShare> {
  await Deno.mkdir(dir, { recursive: true });
  const own = join(dir, `${Deno.pid}.json`);
  let covered = 1;
  const publish = async () => {
    const tmp = `${own}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(await registry.getMetricsAsJSON()));
    await Deno.rename(tmp, own);
  };
  await publish();
  const timer = setInterval(() => {
    publish().catch((error) => log.warn("could not publish metrics: {error}", { error }));
  }, PUBLISH_MS);
  Deno.unrefTimer(timer);

  const others = async (): Promise<Snapshot[]> => {
    const found: Snapshot[] = [];
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (!entry.isFile || !entry.name.endsWith(".json") || path === own) continue;
      try {
        const { mtime } = await Deno.stat(path);
        if (!mtime || Date.now() - mtime.getTime() > STALE_MS) continue;
        found.push(JSON.parse(await Deno.readTextFile(path)));
      } catch {
        // Being replaced or removed right now: the next scrape will have it.
      }
    }
    return found;
  };

  return {
    async aggregate() {
      // Ours first: gauges aggregated with "first" (database counts) take our fresh values.
      const snapshots = [await registry.getMetricsAsJSON(), ...await others()];
      covered = snapshots.length;
      return client.AggregatorRegistry.aggregate(snapshots);
    },
    processes: () => covered,
    async close() {
      clearInterval(timer);
      await Deno.remove(own).catch(() => {});
    },
  };
}
