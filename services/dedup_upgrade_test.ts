import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Db } from "../db/mod.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import { ingestArticles } from "./ingest.ts";
import { upgradeDedupKeys } from "./dedup_upgrade.ts";

/** The content hash as computed before normalisation (no NFC). */
function oldHash(title: string, body: string): string {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  return createHash("sha256").update(norm(title)).update("\n").update(norm(body)).digest("hex");
}

const NFD_TITLE = "Cafe\u0301 prices rise";
const NFC_TITLE = "Caf\u00e9 prices rise";

/** Articles as the earlier code stored them, in this order (ids 1..7). */
const STORED: Array<{ externalId?: string; url?: string; title: string; key?: string }> = [
  { url: "https://EX.com/a/", title: "one" },
  { url: "https://ex.com/a", title: "two" },
  { url: "https://ex.com/a?", title: "three" },
  { title: NFD_TITLE },
  { title: NFC_TITLE },
  { externalId: "feed-cafe\u0301", title: "six" },
  { title: "synthetic", key: "syn:1" },
];

async function storeAsBefore(db: Db): Promise<void> {
  for (const a of STORED) {
    const hash = oldHash(a.title, "body");
    const key = a.key ??
      (a.externalId ? `ext:${a.externalId}` : a.url ? `url:${a.url}` : `hash:${hash}`);
    await db.query(
      `INSERT INTO articles (external_id, url, title, body, published_at, content_hash, dedup_key)
       VALUES ($1, $2, $3, 'body', now(), $4, $5)`,
      [a.externalId ?? null, a.url ?? null, a.title, hash, key],
    );
  }
  // As the migration would have found them.
  await db.query("UPDATE dedup_key_upgrade SET last_id = (SELECT max(id) FROM articles)");
}

async function keys(db: Db): Promise<string[]> {
  const rows = await db.query<{ dedup_key: string }>("SELECT dedup_key FROM articles ORDER BY id");
  return rows.map((r) => r.dedup_key);
}

for (const { name, open } of testDatabases()) {
  Deno.test(`upgradeDedupKeys() re-keys stored articles in batches; the oldest copy takes a shared key (${name})`, async () => {
    const { db, close } = await open();
    try {
      await storeAsBefore(db);
      const batches = [];
      for (let i = 0; i < 10; i++) {
        const b = await upgradeDedupKeys(db, { batch: 2 });
        batches.push(b);
        if (b.done) break;
      }
      assert.deepEqual(batches.map((b) => b.seen), [2, 2, 2, 1]);
      assert.equal(batches.at(-1)!.done, true);
      const h = (await db.query<{ content_hash: string }>(
        "SELECT content_hash FROM articles WHERE id = 5",
      ))[0].content_hash;
      assert.deepEqual(await keys(db), [
        "url:https://ex.com/a", // the oldest of the three spellings takes the key
        "dup:2", // it held the key already, but is newer
        "url:https://ex.com/a?", // newer too: keeps its old key, which no new url can have
        `hash:${h}`, // NFD title: now the same hash as the NFC one, and older
        "dup:5",
        "ext:feed-caf\u00e9",
        "syn:1",
      ]);
      // Done: later calls find nothing to do.
      assert.deepEqual(await upgradeDedupKeys(db), {
        seen: 0,
        rekeyed: 0,
        duplicates: 0,
        done: true,
      });

      // New copies now find the oldest article.
      const [url, nfd, ext] = await ingestArticles(db, [
        { url: "https://Ex.com:443/a/#comments", title: "again", body: "x" },
        { title: NFC_TITLE, body: "body" },
        { externalId: "feed-caf\u00e9", title: "again", body: "y" },
      ]);
      assert.deepEqual([url, nfd, ext].map((o) => [o.id, o.status]), [
        [1, "duplicate"],
        [4, "duplicate"],
        [6, "duplicate"],
      ]);
    } finally {
      await close();
    }
  });

  Deno.test(`ingestArticles() stores NFC/NFD titles and url spellings of one article once (${name})`, async () => {
    const { db, close } = await open();
    try {
      const out = await ingestArticles(db, [
        { title: NFC_TITLE, body: "Prices rose." },
        { title: NFD_TITLE, body: "Prices rose." },
        { url: "https://ex.com/a", title: "first", body: "b1" },
        { url: "https://EX.com/a", title: "second", body: "b2" },
        { url: "https://ex.com/a/", title: "third", body: "b3" },
        { url: "https://ex.com/a?", title: "fourth", body: "b4" },
        { url: "https://ex.com/a?b=1", title: "other page", body: "b5" },
      ]);
      assert.deepEqual(out.map((o) => o.status), [
        "created",
        "duplicate",
        "created",
        "duplicate",
        "duplicate",
        "duplicate",
        "created",
      ]);
      assert.equal(out[1].id, out[0].id);
      assert.deepEqual(new Set(out.slice(3, 6).map((o) => o.id)), new Set([out[2].id]));
    } finally {
      await close();
    }
  });
}
