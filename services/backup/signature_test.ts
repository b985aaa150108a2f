/**
 * Backups against tampering and bombs: a backup signed with BACKUP_KEY restores only
 * with that key, and one whose files and manifest were rewritten without it is refused
 * before anything is written; a few-kilobyte backup that unpacks to hundreds of
 * megabytes (a gzip bomb, in the archive or in the database dump inside it) is refused
 * at the cap with the memory of a few chunks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../../db/mod.ts";
import { migrate } from "../../db/migrate.ts";
import { registerModel } from "../../db/models.ts";
import { LABELS, MODEL, seedQueue } from "../../testing/db/review/test_helpers.ts";
import { hashFile, readBackupArchive, writeBackupArchive } from "./archive.ts";
import type { BackupManifest } from "./manifest.ts";
import { BackupFileError, createBackup, restoreBackup, SIGNATURE_NAME } from "./mod.ts";
import { signManifest, verifyManifest } from "./signature.ts";

const KEY = "a-backup-key-of-at-least-32-chars!";
const OTHER_KEY = "another-key-of-at-least-32-chars!!";

async function entries(path: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** A manifest for a backup holding only `dump` (an embedded database's). */
async function manifestFor(dump: string): Promise<BackupManifest> {
  return {
    format: "newsintel-backup",
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    database: { kind: "pglite", file: "database.pglite.tar.gz" },
    counts: { articles: 0, reviewItems: 0, reviewLabels: 0, models: 0, migration: null },
    models: [],
    skippedModels: [],
    files: { "database.pglite.tar.gz": await hashFile(dump) },
  };
}

/** `mib` MiB of zeros, gzipped, written to `file` as a stream. */
async function gzippedZeros(file: string, mib: number): Promise<void> {
  let left = mib;
  const zeros = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (left-- > 0) controller.enqueue(new Uint8Array(1 << 20));
      else controller.close();
    },
  });
  const out = await Deno.open(file, { write: true, create: true, truncate: true });
  await zeros.pipeThrough(new CompressionStream("gzip")).pipeTo(out.writable);
}

Deno.test("signManifest() and verifyManifest() agree only on the same bytes and key", () => {
  const bytes = new TextEncoder().encode('{"a":1}');
  const sig = signManifest(bytes, KEY);
  assert.match(sig, /^hmac-sha256:[0-9a-f]{64}\n$/);
  assert.equal(verifyManifest(bytes, sig, KEY), true);
  assert.equal(verifyManifest(bytes, sig, OTHER_KEY), false);
  assert.equal(verifyManifest(new TextEncoder().encode('{"a":2}'), sig, KEY), false);
  assert.equal(verifyManifest(bytes, "hmac-sha256:00", KEY), false);
});

Deno.test("a signed backup restores with BACKUP_KEY; rewritten or unsigned ones are refused", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "backup_sig_test_" });
  const source = `pglite://${join(dir, "src")}`;
  const file = join(dir, "signed.tar.gz");
  const target = (tag: string, key?: string) => ({
    dbUrl: `pglite://${join(dir, tag)}`,
    modelDir: join(dir, `models-${tag}`),
    dataDir: dir,
    backupKey: key,
  });
  try {
    const db = await openDb(source);
    try {
      await migrate(db);
      // A hub model: the backup holds no model files, only the database.
      await registerModel(db, {
        version: MODEL,
        name: "test",
        labels: LABELS,
        origin: "hub",
        location: "owner/model",
      });
      await seedQueue(db, 3);
      await createBackup(
        db,
        { dbUrl: source, modelDir: join(dir, "models"), backupKey: KEY },
        file,
      );
    } finally {
      await db.close();
    }

    await t.step("it restores with the key, and says it was verified", async () => {
      const report = await restoreBackup(file, target("ok", KEY));
      assert.equal(report.signature, "verified");
      assert.equal(report.counts.articles, 3);
      // Without a key it restores too, saying the signature was not checked.
      const unchecked = await restoreBackup(file, target("nokey"));
      assert.equal(unchecked.signature, "notChecked");
    });

    await t.step("another key refuses it, before anything is written", async () => {
      await assert.rejects(
        () => restoreBackup(file, target("other", OTHER_KEY)),
        (err: Error) =>
          err instanceof BackupFileError && /signature that does not match/.test(err.message),
      );
      assert.deepEqual(await entries(join(dir, "other")), []);
    });

    // An attacker swaps the dump and lists its new sha256: the old signature no longer
    // matches, and leaving the signature out is no better.
    const staged = join(dir, "staged");
    await Deno.mkdir(staged);
    const { manifest } = await readBackupArchive(file, staged);
    await Deno.writeTextFile(join(staged, manifest.database.file), "not the real dump");
    const forged = {
      ...manifest,
      files: await manifestFor(join(staged, manifest.database.file)).then((m) => m.files),
    };
    const unsigned = join(dir, "unsigned.tar.gz");
    await writeBackupArchive(unsigned, forged, staged);

    await t.step(
      "a backup rewritten without the key is refused when BACKUP_KEY is set",
      async () => {
        await assert.rejects(
          () => restoreBackup(unsigned, target("forged", KEY)),
          /is not signed \(no backup\.json\.sig\), and BACKUP_KEY is set; nothing was restored/,
        );
        const resigned = join(dir, "resigned.tar.gz");
        await writeBackupArchive(resigned, forged, staged, { key: OTHER_KEY });
        await assert.rejects(
          () => restoreBackup(resigned, target("forged", KEY)),
          /signature that does not match/,
        );
        assert.deepEqual(await entries(join(dir, "forged")), []);
        assert.deepEqual(await entries(join(dir, "models-forged")), []);
      },
    );

    await t.step("the signature is the archive's second entry", async () => {
      const names: string[] = [];
      const { createTarDecoder } = await import("modern-tar");
      const input = await Deno.open(file);
      for await (
        const entry of input.readable.pipeThrough(new DecompressionStream("gzip"))
          .pipeThrough(createTarDecoder())
      ) {
        names.push(entry.header.name);
        await entry.body.cancel();
      }
      assert.deepEqual(names.slice(0, 2), ["backup.json", SIGNATURE_NAME]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a few-kilobyte backup whose database dump is a gzip bomb is refused with bounded memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backup_bomb_test_" });
  const staged = join(dir, "staged");
  const target = { dbUrl: `pglite://${join(dir, "db")}`, modelDir: join(dir, "m"), dataDir: dir };
  try {
    await Deno.mkdir(staged);
    // 256 MiB of zeros gzipped twice, as the archive does again: the file is a few KB.
    const dump = join(staged, "database.pglite.tar.gz");
    await gzippedZeros(dump, 256);
    const bomb = join(dir, "bomb.tar.gz");
    await writeBackupArchive(bomb, await manifestFor(dump), staged);
    const { size } = await Deno.stat(bomb);
    assert.ok(size < 4096, `${size} bytes`);
    const before = Deno.memoryUsage().rss;
    await assert.rejects(
      () => restoreBackup(bomb, target),
      (err: Error) =>
        err instanceof BackupFileError &&
        /database dump that unpacks to more than 67108864 bytes.*nothing was restored/.test(
          err.message,
        ),
    );
    // Counting stops at the cap: far less than the 256 MiB it would unpack to.
    const grown = Deno.memoryUsage().rss - before;
    assert.ok(grown < 128 * 2 ** 20, `RSS grew by ${grown} bytes`);
    assert.deepEqual(await entries(join(dir, "db")), []);
    // A smaller BACKUP_MAX_BYTES is the cap when it is lower.
    await assert.rejects(
      () => restoreBackup(bomb, { ...target, backupMaxBytes: 2 ** 20 }),
      /unpacks to more than 1048576 bytes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a backup whose archive itself unpacks past the cap is refused as it streams", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backup_bomb_test_" });
  const staged = join(dir, "staged");
  const target = { dbUrl: `pglite://${join(dir, "db")}`, modelDir: join(dir, "m"), dataDir: dir };
  try {
    await Deno.mkdir(staged);
    // The dump entry is 96 MiB of zeros stored as is: the archive's own gzip packs it small.
    const dump = join(staged, "database.pglite.tar.gz");
    const out = await Deno.open(dump, { write: true, create: true });
    for (let i = 0; i < 96; i++) await out.write(new Uint8Array(1 << 20));
    out.close();
    const bomb = join(dir, "bomb.tar.gz");
    await writeBackupArchive(bomb, await manifestFor(dump), staged);
    await Deno.remove(staged, { recursive: true });
    assert.ok((await Deno.stat(bomb)).size < 200_000);
    await assert.rejects(
      () => restoreBackup(bomb, target),
      /unpacks to more than \d+ bytes \(BACKUP_MAX_BYTES, or 200 times.*nothing was restored/,
    );
    // A lower BACKUP_MAX_BYTES refuses it sooner (by the listed sizes, or the stream's cap).
    await assert.rejects(
      () => restoreBackup(bomb, { ...target, backupMaxBytes: 2 ** 20 }),
      /(lists 100663296 bytes of files, more than|unpacks to more than 2097152 bytes \()BACKUP_MAX_BYTES/,
    );
    assert.deepEqual(await entries(join(dir, "db")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
