/**
 * `newsintel backup` and `newsintel restore` as users run them (subprocesses, embedded
 * database, signed with BACKUP_KEY): the restore prints what it verified, the signature
 * included; a second restore into the now non-empty database, a backup checked against
 * another key and a file that is no backup fail with a one-line reason.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { openDb } from "../db/mod.ts";
import { MODEL, registerTestModel, seedQueue } from "../testing/db/review/test_helpers.ts";
import { writeModelDir } from "../ml/model_dir.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "../ml/train.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel backup and restore round-trip the embedded database and its models", async () => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-backup-" });
  const BACKUP_KEY = "k".repeat(40);
  const source = {
    DB_URL: `pglite://${join(dir, "db")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
    BACKUP_KEY,
  };
  const target = {
    DB_URL: `pglite://${join(dir, "db2")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models2"),
    BACKUP_KEY,
  };
  try {
    const model = await trainTextClassifier(toyCorpus(90), { buckets: 256, epochs: 2 });
    await writeModelDir(join(source.MODEL_DIR, MODEL), model, {
      name: "toy",
      version: MODEL,
      trainingData: { sha256: "ab".repeat(32), size: 90 },
    });
    const db = await openDb(source.DB_URL);
    try {
      await migrate(db);
      await registerTestModel(db);
      await seedQueue(db, 4);
    } finally {
      await db.close();
    }

    const backup = await newsintel(["backup"], source);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(
      backup.stdout,
      /backed up 4 articles, 4 review items, 1 models \(1 with their files\)/,
    );
    assert.match(backup.stdout, /signed with BACKUP_KEY/);
    const [name] = (await Array.fromAsync(Deno.readDir(join(dir, "backups")))).map((e) => e.name);
    assert.match(name, /^newsintel-\d{8}T\d{6}Z\.tar\.gz$/);
    const file = join(dir, "backups", name);

    const restore = await newsintel(["restore", file], target);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /articles +4\n/);
    assert.match(restore.stdout, /review items +4 \(0 decisions\)/);
    assert.match(restore.stdout, /files installed: 1/);
    assert.match(restore.stdout, /verified: counts match/);
    assert.match(restore.stdout, /signature: verified against BACKUP_KEY/);

    const foreign = await newsintel(["restore", file, "--force"], {
      ...target,
      BACKUP_KEY: "o".repeat(40),
    });
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /signature that does not match.*nothing was restored\n$/);

    const again = await newsintel(["restore", file], target);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /^newsintel: the target database is not empty .*--force replaces it\n$/,
    );

    const forced = await newsintel(["restore", file, "--force", "--json"], target);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).replaced, true);
    assert.equal(JSON.parse(forced.stdout).signature, "verified");

    await Deno.writeTextFile(join(dir, "x.tar.gz"), "not a backup");
    const wrong = await newsintel(["restore", join(dir, "x.tar.gz")], target);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is not a readable backup .*nothing was restored/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
