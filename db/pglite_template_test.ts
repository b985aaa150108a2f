import assert from "node:assert/strict";
import { openPglite } from "./pglite.ts";
import { migrate } from "./migrate.ts";
import { initdbTemplate, TEMPLATE_VERSION_FILE } from "./pglite_template.ts";
import { pinnedPgliteVersion } from "../scripts/pglite_template.ts";

Deno.test("the embedded database's template was made by the PGlite version deno.json pins", async () => {
  const made = JSON.parse(await Deno.readTextFile(TEMPLATE_VERSION_FILE)).pglite;
  assert.equal(made, await pinnedPgliteVersion(), "run `deno task pglite-template`");
  assert.ok(await initdbTemplate(), "db/pglite_template.tgz is there");
});

Deno.test("a new embedded database starts from the template, and migrates", async () => {
  const db = await openPglite("memory");
  try {
    await migrate(db);
    const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM articles");
    assert.equal(row.n, 0);
  } finally {
    await db.close();
  }
});

Deno.test("a template PGlite cannot load leaves a new database to initdb, and nothing of it behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/db`;
    const db = await openPglite(path, { template: new Blob([new Uint8Array([1, 2, 3])]) });
    try {
      const [row] = await db.query<{ ok: number }>("SELECT 1 AS ok");
      assert.equal(row.ok, 1);
    } finally {
      await db.close();
    }
    // Opened again, it is the database initdb made.
    const again = await openPglite(path);
    try {
      await again.query("SELECT 1");
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
