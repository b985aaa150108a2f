import assert from "node:assert/strict";
import { join } from "node:path";
import { loadMigrations, migrationStatus } from "../db/migrate.ts";
import { openPglite } from "../db/pglite.ts";
import { PROJECT_ROOT } from "../testing/cli/test_run.ts";
import { createEmbeddedDatabase, isNewEmbeddedDatabase } from "./serve_new_database.ts";

// Inside the project's tmp/, which the child's permissions cover.
const scratch = () => join(PROJECT_ROOT, "tmp", `new-db-test-${crypto.randomUUID().slice(0, 8)}`);

Deno.test("a new embedded database is created and migrated by a child process", async () => {
  const dataDir = scratch();
  const url = `pglite://${join(dataDir, "db")}`;
  try {
    assert.equal(await isNewEmbeddedDatabase(url), true);
    const applied = await createEmbeddedDatabase(url, dataDir);
    assert.deepEqual(applied, (await loadMigrations()).map((m) => m.version));
    assert.equal(await isNewEmbeddedDatabase(url), false);
    // The child has exited and let go of the database: this process opens it, up to date.
    const db = await openPglite(join(dataDir, "db"));
    try {
      assert.ok((await migrationStatus(db)).every((m) => m.appliedAt !== null));
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a creation that fails leaves no database for the next start to open", async () => {
  const dataDir = scratch();
  // The database's folder cannot be made: a file holds its parent's place.
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(join(dataDir, "blocked"), "");
  const url = `pglite://${join(dataDir, "blocked", "db")}`;
  try {
    await assert.rejects(
      createEmbeddedDatabase(url, dataDir),
      /creating the embedded database in a separate process \(newsintel migrate\) failed/,
    );
    assert.equal(await isNewEmbeddedDatabase(`pglite://${join(dataDir, "db")}`), true);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("only an embedded database on disk that is not there yet is new", async () => {
  assert.equal(await isNewEmbeddedDatabase("pglite://memory"), false);
  assert.equal(await isNewEmbeddedDatabase("postgres://u@h/db"), false);
  assert.equal(await isNewEmbeddedDatabase(`pglite://${PROJECT_ROOT}`), false);
});
