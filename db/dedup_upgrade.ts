/**
 * Re-keying articles stored before dedup keys were normalised
 * (migrations/0020_*.sql): the progress row, the stored rows in id order, who
 * holds a key, and writing the new keys. The decisions are the service's
 * (services/dedup_upgrade.ts).
 */
import type { Queryable } from "./mod.ts";

/** How far the re-keying got: ids up to `lastId` need it, those up to `doneId` are done. */
export interface RekeyProgress {
  doneId: number;
  lastId: number;
}

/** An article as stored, with what its keys are computed from. */
export interface StoredKeys {
  id: number;
  externalId: string | null;
  url: string | null;
  title: string;
  body: string;
  dedupKey: string;
  contentHash: string;
}

/** The progress, locked until the transaction ends (one re-keying at a time across replicas). */
export async function lockRekeyProgress(tx: Queryable): Promise<RekeyProgress | null> {
  const [row] = await tx.query<{ done_id: number | string; last_id: number | string }>(
    "SELECT done_id, last_id FROM dedup_key_upgrade FOR UPDATE",
  );
  return row ? { doneId: Number(row.done_id), lastId: Number(row.last_id) } : null;
}

/** Records that every id up to `doneId` is re-keyed. */
export async function setRekeyProgress(tx: Queryable, doneId: number): Promise<void> {
  await tx.query("UPDATE dedup_key_upgrade SET done_id = $1", [doneId]);
}

/** Up to `limit` articles with ids in (`afterId`, `upToId`], in id order. */
export async function storedKeysAfter(
  tx: Queryable,
  range: { afterId: number; upToId: number; limit: number },
): Promise<StoredKeys[]> {
  const rows = await tx.query<{
    id: number | string;
    external_id: string | null;
    url: string | null;
    title: string;
    body: string;
    dedup_key: string;
    content_hash: string;
  }>(
    `SELECT id, external_id, url, title, body, dedup_key, content_hash FROM articles
      WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
    [range.afterId, range.upToId, range.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    externalId: r.external_id,
    url: r.url,
    title: r.title,
    body: r.body,
    dedupKey: r.dedup_key,
    contentHash: r.content_hash,
  }));
}

/** The id of the article holding each of `keys` (keys nobody holds are absent). */
export async function keyHolders(tx: Queryable, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{ id: number | string; dedup_key: string }>(
    "SELECT id, dedup_key FROM articles WHERE dedup_key = ANY($1::text[])",
    [keys],
  );
  return new Map(rows.map((r) => [r.dedup_key, Number(r.id)]));
}

/**
 * Moves the articles `ids` off their keys onto `dup:<id>`, which nothing else
 * can hold: a newer copy giving its key up to an older one.
 */
export async function retireKeys(tx: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    "UPDATE articles SET dedup_key = 'dup:' || id WHERE id = ANY($1::bigint[])",
    [ids],
  );
}

/** Sets each listed article's dedup key and content hash. */
export async function setKeys(
  tx: Queryable,
  rows: Array<{ id: number; dedupKey: string; contentHash: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE articles a SET dedup_key = v.key, content_hash = v.hash
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, key, hash)
      WHERE a.id = v.id`,
    [rows.map((r) => r.id), rows.map((r) => r.dedupKey), rows.map((r) => r.contentHash)],
  );
}
