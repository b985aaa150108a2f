/**
 * Backup and restore end to end, on PGlite and (with TEST_DB_URL) PostgreSQL: a seeded
 * database and its model back up to one file and restore into a fresh database and
 * model folder with every article, review and model; unreadable, corrupt, foreign or
 * mismatched files and non-empty targets are refused with nothing written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { DbInUseError, openDb } from "../../db/mod.ts";
import { migrate } from "../../db/migrate.ts";
import { postgresTestUrl } from "../../testing/db/test_db.ts";
import { claimNext, decide } from "../../db/review/mod.ts";
import {
  activateTestModel,
  MODEL,
  ok,
  registerTestModel,
  seedQueue,
} from "../../testing/db/review/test_helpers.ts";
import { bundleModel, verifyModelDir, writeModelDir } from "../../ml/mod.ts";
import { toyCorpus } from "../../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "../../ml/train.ts";
import { writeBackupArchive } from "./archive.ts";
import { storeMissingModels } from "../model_store.ts";
import { BackupFileError, createBackup, restoreBackup, RestoreRefusedError } from "./mod.ts";

const model = await trainTextClassifier(toyCorpus(120), { buckets: 512, epochs: 3 });

/** A database URL per test on each driver, and how to drop it. */
interface Place {
  url: string;
  drop(): Promise<void>;
}

const kinds: Array<{ name: string; place: (dir: string, tag: string) => Promise<Place> }> = [
  {
    name: "pglite",
    place: (dir, tag) =>
      Promise.resolve({ url: `pglite://${join(dir, tag)}`, drop: async () => {} }),
  },
];
const pgUrl = postgresTestUrl();
if (pgUrl) kinds.push({ name: "postgres", place: (_dir, tag) => freshDatabase(pgUrl, tag) });

/** A new database on the TEST_DB_URL server (pg_dump dumps a whole database). */
async function freshDatabase(url: string, tag: string): Promise<Place> {
  const name = `newsintel_bk_${tag}_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  u.searchParams.delete("options");
  return {
    url: u.toString(),
    async drop() {
      const a = postgres(url, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** 5 articles with predictions by MODEL, each queued; one decided; MODEL's files on disk. */
async function seed(url: string, modelDir: string): Promise<void> {
  await writeModelDir(join(modelDir, MODEL), model, {
    name: "toy",
    version: MODEL,
    trainingData: { sha256: "ab".repeat(32), size: 120 },
  });
  const db = await openDb(url);
  try {
    await migrate(db);
    await registerTestModel(db);
    await activateTestModel(db);
    await seedQueue(db, 5);
    const [item] = await claimNext(db, "ann", { limit: 1, order: "oldest" });
    ok(await decide(db, "ann", item.id, { action: "label", label: "sport" }));
  } finally {
    await db.close();
  }
}

async function entries(path: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

for (const kind of kinds) {
  Deno.test(`backup and restore bring back every article, review and model (${kind.name})`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "backup_test_" });
    const source = await kind.place(dir, "src");
    const target = await kind.place(dir, "dst");
    const modelDir = join(dir, "models");
    const file = join(dir, "out", "backup.tar.gz");
    await Deno.mkdir(join(dir, "out"));
    const restoreTo = { dbUrl: target.url, modelDir: join(dir, "models2"), dataDir: dir };
    try {
      await seed(source.url, modelDir);

      await t.step(
        "createBackup() writes one file with the dump, the model and counts",
        async () => {
          const db = await openDb(source.url);
          try {
            const manifest = await createBackup(db, { dbUrl: source.url, modelDir }, file);
            assert.deepEqual(manifest.counts, {
              articles: 5,
              reviewItems: 5,
              reviewLabels: 1,
              models: 1,
              migration: manifest.counts.migration,
            });
            assert.deepEqual(manifest.models.map((m) => m.version), [MODEL]);
            assert.equal(manifest.database.kind, kind.name);
          } finally {
            await db.close();
          }
          assert.deepEqual(await entries(join(dir, "out")), ["backup.tar.gz"], "no temp left");
        },
      );

      await t.step("a truncated or corrupted file is refused and nothing is written", async () => {
        const bytes = await Deno.readFile(file);
        const truncated = join(dir, "truncated.tar.gz");
        await Deno.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
        await assert.rejects(() => restoreBackup(truncated, restoreTo), BackupFileError);
        const flipped = bytes.slice();
        flipped[Math.floor(bytes.length * 0.6)] ^= 0xff;
        const corrupt = join(dir, "corrupt.tar.gz");
        await Deno.writeFile(corrupt, flipped);
        await assert.rejects(() => restoreBackup(corrupt, restoreTo), BackupFileError);
        assert.deepEqual(await entries(restoreTo.modelDir), []);
        if (kind.name === "pglite") assert.deepEqual(await entries(join(dir, "dst")), []);
        else await assertEmpty(target.url);
      });

      await t.step("restoreBackup() restores into a fresh database and verifies it", async () => {
        const report = await restoreBackup(file, restoreTo);
        assert.equal(report.counts.articles, 5);
        assert.equal(report.counts.reviewItems, 5);
        assert.equal(report.counts.reviewLabels, 1);
        assert.equal(report.counts.models, 1);
        assert.deepEqual(report.modelsInstalled, [MODEL]);
        assert.equal(report.replaced, false);
        await verifyModelDir(join(restoreTo.modelDir, MODEL));
        assert.deepEqual(await entries(restoreTo.modelDir), [MODEL], "no staging left");
        const db = await openDb(target.url);
        try {
          const titles = await db.query<{ title: string }>(
            "SELECT title FROM articles ORDER BY title",
          );
          assert.deepEqual(titles.map((r) => r.title), [0, 1, 2, 3, 4].map((i) => `a title ${i}`));
          const [done] = await db.query<{ final_label: string; status: string }>(
            "SELECT final_label, status FROM review_items WHERE status = 'done'",
          );
          assert.deepEqual(done, { final_label: "sport", status: "done" });
          const [active] = await db.query<{ version: string }>(
            "SELECT version FROM model_activations ORDER BY id DESC LIMIT 1",
          );
          assert.equal(active.version, MODEL);
        } finally {
          await db.close();
        }
      });

      await t.step("a non-empty target is refused without --force, replaced with it", async () => {
        await assert.rejects(() => restoreBackup(file, restoreTo), /not empty.*--force/);
        const report = await restoreBackup(file, restoreTo, { force: true });
        assert.equal(report.replaced, true);
        assert.deepEqual(report.modelsPresent, [MODEL]);
        assert.equal(report.counts.articles, 5);
      });
    } finally {
      await source.drop();
      await target.drop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** A PostgreSQL database with no tables (a refused restore wrote none). */
async function assertEmpty(url: string): Promise<void> {
  const db = await openDb(url);
  try {
    const rows = await db.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    assert.equal(rows.length, 0);
  } finally {
    await db.close();
  }
}

Deno.test("restoreBackup() refuses a model bundle, a foreign file and a tampered manifest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backup_test_" });
  const target = { dbUrl: `pglite://${join(dir, "db")}`, modelDir: join(dir, "m"), dataDir: dir };
  try {
    await writeModelDir(join(dir, "src"), model, {
      name: "toy",
      version: "v1",
      trainingData: { sha256: "ab".repeat(32), size: 120 },
    });
    const bundle = join(dir, "v1.tar.gz");
    await bundleModel(join(dir, "src"), bundle);
    await assert.rejects(
      () => restoreBackup(bundle, target),
      /not a newsintel backup.*models import/,
    );
    const text = join(dir, "notes.txt");
    await Deno.writeTextFile(text, "hello");
    await assert.rejects(() => restoreBackup(text, target), /not a readable backup/);

    // Well-formed, but a listed file differs from its sha256.
    await Deno.mkdir(join(dir, "staged", "models"), { recursive: true });
    await Deno.copyFile(bundle, join(dir, "staged", "models", "v1.tar.gz"));
    await Deno.writeTextFile(join(dir, "staged", "database.pglite.tar.gz"), "x");
    const tampered = join(dir, "tampered.tar.gz");
    await writeBackupArchive(tampered, {
      format: "newsintel-backup",
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      database: { kind: "pglite", file: "database.pglite.tar.gz" },
      counts: { articles: 0, reviewItems: 0, reviewLabels: 0, models: 1, migration: null },
      models: [{ version: "v1", file: "models/v1.tar.gz" }],
      skippedModels: [],
      files: {
        "database.pglite.tar.gz": { size: 1, sha256: "0".repeat(64) },
        "models/v1.tar.gz": { size: (await Deno.stat(bundle)).size, sha256: "0".repeat(64) },
      },
    }, join(dir, "staged"));
    await assert.rejects(() => restoreBackup(tampered, target), /is corrupt: .* sha256/);
    assert.deepEqual(await entries(target.modelDir), []);
    assert.deepEqual(await entries(join(dir, "db")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createBackup() refuses a missing model directory and an embedded database in use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backup_test_" });
  const url = `pglite://${join(dir, "db")}`;
  try {
    await seed(url, join(dir, "models"));
    await Deno.remove(join(dir, "models", MODEL), { recursive: true });
    const db = await openDb(url);
    try {
      // A second opener (another `serve`, or backup while serve runs) is turned away.
      await assert.rejects(() => openDb(url), DbInUseError);
      const out = join(dir, "b.tar.gz");
      await assert.rejects(
        () => createBackup(db, { dbUrl: url, modelDir: join(dir, "models") }, out),
        new RegExp(`model ${MODEL} cannot be backed up`),
      );
      assert.deepEqual(
        (await entries(dir)).filter((n) => n.startsWith("b.tar.gz") || n.startsWith(".newsintel")),
        [],
      );
    } finally {
      await db.close();
    }
    // Closed: the lock is released.
    await (await openDb(url)).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restoreBackup() refuses a model directory that differs from the backup's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backup_test_" });
  const url = `pglite://${join(dir, "db")}`;
  const models = join(dir, "models");
  try {
    await seed(url, models);
    const file = join(dir, "b.tar.gz");
    const db = await openDb(url);
    await createBackup(db, { dbUrl: url, modelDir: models }, file).finally(() => db.close());
    await Deno.writeTextFile(join(models, MODEL, "config.json"), "{}");
    const target = { dbUrl: `pglite://${join(dir, "db2")}`, modelDir: models, dataDir: dir };
    await assert.rejects(() => restoreBackup(file, target), RestoreRefusedError);
    assert.deepEqual(await entries(join(dir, "db2")), []);
    const report = await restoreBackup(file, target, { force: true });
    assert.deepEqual(report.modelsInstalled, [MODEL]);
    await verifyModelDir(join(models, MODEL));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const kind of kinds) {
  Deno.test(`a model in the model store is backed up once, in the database, and restored from it (${kind.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "backup_test_" });
    const source = await kind.place(dir, "src");
    const target = await kind.place(dir, "dst");
    const models = join(dir, "models");
    try {
      await seed(source.url, models);
      const file = join(dir, "b.tar.gz");
      const db = await openDb(source.url);
      try {
        // What registering a trained model records; the test model has no manifest.
        const modelManifest = await Deno.readTextFile(join(models, MODEL, "manifest.json"));
        await db.query("UPDATE models SET manifest = $2::text::jsonb WHERE version = $1", [
          MODEL,
          modelManifest,
        ]);
        assert.deepEqual(await storeMissingModels(db, models), [MODEL]);
        const manifest = await createBackup(db, { dbUrl: source.url, modelDir: models }, file);
        assert.deepEqual(manifest.models, [], "no second copy as a bundle");
        assert.deepEqual(manifest.storedModels, [MODEL]);
        assert.deepEqual(Object.keys(manifest.files), [manifest.database.file]);
      } finally {
        await db.close();
      }
      // The service's MODEL_DIR is only a cache: the backup did not need it, nor does the restore.
      await Deno.remove(models, { recursive: true });
      const restoreTo = { dbUrl: target.url, modelDir: join(dir, "models2"), dataDir: dir };
      const report = await restoreBackup(file, restoreTo);
      assert.deepEqual(report.modelsFromStore, [MODEL]);
      assert.deepEqual(report.modelsInstalled, []);
      assert.equal((await verifyModelDir(join(restoreTo.modelDir, MODEL))).version, MODEL);
    } finally {
      await source.drop();
      await target.drop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
