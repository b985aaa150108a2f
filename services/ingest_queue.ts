/**
 * Group commit for `POST /v1/articles`: batches prepared while a write is running wait
 * for it and are then stored together, in one transaction, and each request gets its own
 * outcomes back. A single article costs about a dozen statements (articles, predictions,
 * review queue, statistics, stories); sixteen senders of one article each then share one
 * such round instead of queueing for sixteen. An idle queue writes at once (no added wait);
 * on the embedded database a write first waits, briefly, for the requests being prepared
 * (`GATHER_MS_EMBEDDED`).
 */
import type { Db } from "../db/mod.ts";
import type { Classification } from "./model_runtime.ts";
import {
  type IngestOutcome,
  type IngestServices,
  prepareArticles,
  type PreparedBatch,
  storePrepared,
} from "./ingest.ts";
import type { ArticleInput } from "../datasets/article.ts";
import { yieldToEventLoop } from "../lib/slices.ts";

export interface IngestQueue {
  /** Prepares a batch and stores it, with others that wait at the same time; input order. */
  ingest(inputs: ArticleInput[]): Promise<IngestOutcome[]>;
}

export interface IngestQueueOptions {
  /**
   * Transactions writing at once (default 1). One writer makes the largest groups: much of
   * a transaction's cost is fixed (a dozen statements and their round trips, the story
   * look-up's and write's set-up), and with two, sixteen senders of one article each were
   * stored about four a transaction instead of eight, for twice PostgreSQL's CPU per
   * article (in-process profile, 1,500 articles, two runs each: 4.5-5.7 ms with two
   * writers, 2.3-2.5 ms with one) at the same speed.
   */
  writers?: number;
  /** Articles one transaction takes at most from waiting batches (a larger batch goes alone). */
  maxArticles?: number;
  /**
   * How long, in ms, a write waits for the requests being prepared, so that it takes them
   * too (default {@link GATHER_MS_EMBEDDED} on the embedded database, 0 on PostgreSQL).
   */
  gatherMs?: number;
}

/**
 * How long a write on the embedded database waits for the requests being prepared. There
 * the statements and the preparation share one thread, so a write started while requests
 * are being prepared only delays them, and takes the few that were ready: sixteen senders
 * of one article each were stored about three a transaction, at 8.6 ms of CPU an article.
 * Waiting for them made groups of about a dozen: 130-157 -> 188-198 articles/s. On
 * PostgreSQL the database works on another core while requests are prepared, and waiting
 * cost a quarter of the rate. Closed-loop senders are ready within a few ms; the bound
 * only keeps a steady stream of new requests from holding a write back for long.
 */
export const GATHER_MS_EMBEDDED = 25;

interface Waiting {
  batch: PreparedBatch;
  /** When it began to wait (performance.now()). */
  since: number;
  resolve(outcomes: IngestOutcome[]): void;
  reject(error: unknown): void;
}

/** The models a batch was classified with: only batches with the same ones are merged. */
function modelsOf(results: Classification[]): string {
  return results.map((c) => `${c.model.version}/${c.shadow?.model.version ?? ""}`).join(",");
}

/** One batch of the rows and predictions of batches classified by the same models. */
export function mergeBatches(batches: PreparedBatch[]): PreparedBatch {
  if (batches.length === 1) return batches[0];
  const [first] = batches;
  const readings = batches.every((b) => b.readings)
    ? batches.flatMap((b) => b.readings!)
    : undefined;
  return {
    rows: batches.flatMap((b) => b.rows),
    ...(readings ? { readings } : {}),
    results: first.results.map((c, k) => ({
      model: c.model,
      predictions: batches.flatMap((b) => b.results[k].predictions),
      ...(c.shadow
        ? {
          shadow: {
            model: c.shadow.model,
            predictions: batches.flatMap((b) => b.results[k].shadow!.predictions),
          },
        }
        : {}),
    })),
  };
}

/** The queue of `db`'s ingestion, with `services` for every batch. */
export function createIngestQueue(
  db: Db,
  services: IngestServices,
  options: IngestQueueOptions = {},
): IngestQueue {
  const writers = options.writers ?? 1;
  const maxArticles = options.maxArticles ?? 500;
  const waiting: Waiting[] = [];
  let running = 0;

  /** The first waiting batch and those after it with the same models, up to `maxArticles`. */
  const takeGroup = (): Waiting[] => {
    const group = [waiting.shift()!];
    const models = modelsOf(group[0].batch.results);
    let articles = group[0].batch.rows.length;
    for (let i = 0; i < waiting.length;) {
      const next = waiting[i];
      if (articles + next.batch.rows.length > maxArticles) break;
      if (modelsOf(next.batch.results) !== models) {
        i++;
        continue;
      }
      group.push(...waiting.splice(i, 1));
      articles += next.batch.rows.length;
    }
    return group;
  };

  const storeAlone = async (w: Waiting) => {
    try {
      w.resolve(await storePrepared(db, w.batch, services));
    } catch (error) {
      w.reject(error);
    }
  };

  const write = async (group: Waiting[]) => {
    if (group.length === 1) return await storeAlone(group[0]);
    let outcomes: IngestOutcome[];
    try {
      outcomes = await storePrepared(db, mergeBatches(group.map((w) => w.batch)), services);
    } catch {
      // One batch may have failed them all (its rows refused): each goes again alone,
      // so only the one at fault sees the error.
      for (const w of group) await storeAlone(w);
      return;
    }
    let from = 0;
    for (const w of group) {
      w.resolve(outcomes.slice(from, from + w.batch.rows.length));
      from += w.batch.rows.length;
    }
  };

  const gatherMs = options.gatherMs ?? (db.kind === "pglite" ? GATHER_MS_EMBEDDED : 0);
  let preparing = 0;
  let gathering: ReturnType<typeof setTimeout> | undefined;
  /** Whether the next write should wait for the requests being prepared (then re-pumps). */
  const gather = () => {
    if (preparing === 0 || gatherMs <= 0) return false;
    if (waiting.reduce((n, w) => n + w.batch.rows.length, 0) >= maxArticles) return false;
    const left = gatherMs - (performance.now() - waiting[0].since);
    if (left <= 0) return false;
    gathering ??= setTimeout(() => {
      gathering = undefined;
      pump();
    }, left);
    return true;
  };

  const pump = () => {
    while (running < writers && waiting.length > 0) {
      if (gather()) return;
      clearTimeout(gathering);
      gathering = undefined;
      const group = takeGroup();
      running++;
      write(group).finally(() => {
        running--;
        pump();
      });
    }
  };

  return {
    async ingest(inputs) {
      let batch: PreparedBatch;
      preparing++;
      try {
        // While a write runs, a request's preparation (a millisecond or more of synchronous
        // work) starts on a later turn of the event loop: sixteen requests arriving together
        // would otherwise be prepared back to back while the write's answer waited to be read,
        // and the transaction, which one writer holds at a time, waited with it.
        if (running > 0) await yieldToEventLoop();
        batch = await prepareArticles(inputs, services);
      } catch (error) {
        preparing--;
        // A write waiting for this preparation goes without it.
        pump();
        throw error;
      }
      preparing--;
      return await new Promise<IngestOutcome[]>((resolve, reject) => {
        waiting.push({ batch, resolve, reject, since: performance.now() });
        pump();
      });
    },
  };
}
