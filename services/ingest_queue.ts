/**
 * Group commit for `POST /v1/articles`: batches prepared while a write is running wait
 * for it and are then stored together, in one transaction, and each request gets its own
 * outcomes back. A single article costs about a dozen statements (articles, predictions,
 * review queue, statistics, stories); sixteen senders of one article each then share one
 * such round instead of queueing for sixteen. An idle queue writes at once (no added wait).
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
}

interface Waiting {
  batch: PreparedBatch;
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

  const pump = () => {
    while (running < writers && waiting.length > 0) {
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
      // While a write runs, a request's preparation (a millisecond or more of synchronous
      // work) starts on a later turn of the event loop: sixteen requests arriving together
      // would otherwise be prepared back to back while the write's answer waited to be read,
      // and the transaction, which one writer holds at a time, waited with it.
      if (running > 0) await yieldToEventLoop();
      const batch = await prepareArticles(inputs, services);
      return await new Promise<IngestOutcome[]>((resolve, reject) => {
        waiting.push({ batch, resolve, reject });
        pump();
      });
    },
  };
}
