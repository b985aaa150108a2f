/**
 * Brings articles stored before dedup keys were normalised (Unicode NFC,
 * canonical urls: services/ingest.ts) under the new keys, a batch per call, so
 * `serve` can do it in the background. Where two stored articles now share a
 * key, the oldest (lowest id) takes it — new copies then match the article the
 * service has known longest — and the newer ones keep a key no new article can
 * have (their old one, or `dup:<id>` when the new key was theirs), so nothing
 * is deleted and the unique index holds throughout.
 */
import type { Db } from "../db/mod.ts";
import {
  keyHolders,
  lockRekeyProgress,
  retireKeys,
  setKeys,
  setRekeyProgress,
  type StoredKeys,
  storedKeysAfter,
} from "../db/dedup_upgrade.ts";
import { contentHash, dedupKey } from "./article_rows.ts";

/** What one call did. */
export interface RekeyBatch {
  /** Articles looked at. */
  seen: number;
  /** Articles whose dedup key changed. */
  rekeyed: number;
  /** Articles that would share a key with an older one, so keep one of their own. */
  duplicates: number;
  /** Nothing is left to re-key. */
  done: boolean;
}

/** Keys ingestion makes; others (e.g. synthetic history's `syn:`) are left alone. */
const INGESTED_KEY = /^(ext|url|hash|dup):/;

/**
 * Articles re-keyed per call: each is read whole and hashed, so a batch of
 * long articles (up to 100k characters each) stays around 25 MB and a few
 * tens of milliseconds of hashing.
 */
export const REKEY_BATCH = 250;

/**
 * Re-keys the next `batch` articles stored before the normalised keys, in one
 * transaction (with the progress row locked, so replicas take turns).
 */
export async function upgradeDedupKeys(
  db: Db,
  { batch = REKEY_BATCH } = {},
): Promise<RekeyBatch> {
  return await db.transaction(async (tx) => {
    const progress = await lockRekeyProgress(tx);
    if (!progress || progress.doneId >= progress.lastId) {
      return { seen: 0, rekeyed: 0, duplicates: 0, done: true };
    }
    const rows = await storedKeysAfter(tx, {
      afterId: progress.doneId,
      upToId: progress.lastId,
      limit: batch,
    });
    const wanted = rows.filter((r) => INGESTED_KEY.test(r.dedupKey)).map(rekeyed);
    const moving = wanted.filter((w) => w.dedupKey !== w.row.dedupKey);
    const holders = await keyHolders(tx, [...new Set(moving.map((w) => w.dedupKey))]);
    // Per new key, the oldest claimant wins: a batch row (rows come in id order) or
    // the article already holding it, whichever is older.
    const winners = new Map(holders);
    for (const w of moving) {
      const best = winners.get(w.dedupKey);
      if (best === undefined || w.row.id < best) winners.set(w.dedupKey, w.row.id);
    }
    // A holder that loses its key to an older claimant moves to `dup:<id>` first.
    const retired = new Set<number>();
    for (const [key, holder] of holders) if (winners.get(key) !== holder) retired.add(holder);
    const updates: Array<{ id: number; dedupKey: string; contentHash: string }> = [];
    let rekeyedCount = 0;
    for (const w of wanted) {
      const wins = w.dedupKey !== w.row.dedupKey && winners.get(w.dedupKey) === w.row.id;
      const key = wins ? w.dedupKey : retired.has(w.row.id) ? `dup:${w.row.id}` : w.row.dedupKey;
      if (wins) rekeyedCount++;
      if (key !== w.row.dedupKey || w.contentHash !== w.row.contentHash) {
        updates.push({ id: w.row.id, dedupKey: key, contentHash: w.contentHash });
      }
    }
    await retireKeys(tx, [...retired]);
    await setKeys(tx, updates);
    const done = rows.length < batch;
    await setRekeyProgress(tx, done ? progress.lastId : rows[rows.length - 1].id);
    return {
      seen: rows.length,
      rekeyed: rekeyedCount,
      duplicates: moving.length - rekeyedCount + retired.size,
      done,
    };
  });
}

/** The keys a stored article gets today. */
function rekeyed(row: StoredKeys): { row: StoredKeys; dedupKey: string; contentHash: string } {
  const hash = contentHash(row.title, row.body);
  const key = dedupKey({
    externalId: row.externalId,
    url: row.url,
    title: row.title,
    body: row.body,
  }, hash);
  return { row, dedupKey: key, contentHash: hash };
}
