/** Loading data sets into the database in batches (used by `seed` and first start). */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../db/mod.ts";
import { storeGivenLabels } from "../db/given_labels.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import { readDataset } from "../datasets/mod.ts";
import { ingestArticles, type IngestServices } from "./ingest.ts";

export interface SeedResult {
  read: number;
  created: number;
  duplicates: number;
}

export interface SeedOptions {
  /** Articles per transaction (default 500). */
  batchSize?: number;
  /** Stop after this many records. */
  limit?: number;
  onProgress?: (r: SeedResult) => void;
  /** Classify, summarize and detect the language of new articles. */
  services?: IngestServices;
  /** Names the data set in `given_labels` (default "seed"; the samples name their file). */
  labelSource?: string;
  /** Called after each batch with the ids of its articles that carry a label. */
  onLabelled?: (articleIds: number[]) => void;
  /** Stops between two batches once aborted (what was stored stays). */
  signal?: AbortSignal;
  /** The data sets `seedSamples()` reads (default {@link SAMPLE_DATASETS}). */
  datasets?: string[];
}

/** The sample data the project ships, seeded on first start. */
export const SAMPLE_DATASETS: string[] = [
  fileURLToPath(new URL("../data/agnews/train_10k.csv", import.meta.url)),
  fileURLToPath(new URL("../data/huffpost/news_category_10k.jsonl", import.meta.url)),
];

/**
 * Stores records `batchSize` at a time (each batch one transaction), so a
 * re-run stores nothing twice and an interrupted run keeps whole batches.
 */
export async function seedRecords(
  db: Db,
  records: AsyncIterable<DatasetRecord>,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const batchSize = options.batchSize ?? 500;
  const source = options.labelSource ?? "seed";
  const result: SeedResult = { read: 0, created: 0, duplicates: 0 };
  let batch: DatasetRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await ingestArticles(db, batch, options.services);
    // Given labels are kept for articles created now and those already present, so a
    // re-run completes a run interrupted between the two writes.
    const labelled = batch.flatMap((r, i) =>
      r.label ? [{ articleId: outcomes[i].id, label: r.label, source }] : []
    );
    await storeGivenLabels(db, labelled);
    if (labelled.length) options.onLabelled?.(labelled.map((l) => l.articleId));
    const created = outcomes.filter((o) => o.status === "created").length;
    result.created += created;
    result.duplicates += outcomes.length - created;
    batch = [];
    options.onProgress?.({ ...result });
  };
  for await (const record of records) {
    if (options.signal?.aborted) return result;
    if (options.limit !== undefined && result.read >= options.limit) break;
    result.read++;
    batch.push(record);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return result;
}

/** Seeds every sample data set (`limit` counts across all of them). */
export async function seedSamples(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const total: SeedResult = { read: 0, created: 0, duplicates: 0 };
  for (const path of options.datasets ?? SAMPLE_DATASETS) {
    if (options.signal?.aborted) break;
    if (options.limit !== undefined && total.read >= options.limit) break;
    const base = { ...total };
    const r = await seedRecords(db, readDataset(path), {
      ...options,
      labelSource: options.labelSource ?? basename(path),
      limit: options.limit === undefined ? undefined : options.limit - total.read,
      onProgress: (p) =>
        options.onProgress?.({
          read: base.read + p.read,
          created: base.created + p.created,
          duplicates: base.duplicates + p.duplicates,
        }),
    });
    total.read += r.read;
    total.created += r.created;
    total.duplicates += r.duplicates;
  }
  return total;
}
