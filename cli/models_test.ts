/**
 * `newsintel train --name section` and `newsintel models list|promote|rollback` with two
 * taxonomies, as users run them, on an embedded database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { activeModelVersion } from "../db/models.ts";
import { openDb } from "../db/mod.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainToyModel } from "../testing/services/test_model.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel train --name section adds a taxonomy; models act per taxonomy", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-taxonomy-cli-" });
  const env = {
    DB_URL: `pglite://${join(dir, "db")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
  };
  const sections = join(dir, "sections.jsonl");
  const section = (label: string) => ({ sport: "SPORTS", markets: "BUSINESS" })[label] ?? "TECH";
  await Deno.writeTextFile(
    sections,
    toyCorpus(120, 3).map((e) => JSON.stringify({ text: e.text, label: section(e.label) }))
      .join("\n") + "\n",
  );
  let topic = "";
  try {
    const db = await openDb(env.DB_URL);
    try {
      await migrate(db);
      topic = (await trainToyModel(db, env.MODEL_DIR, { seed: 1 })).version;
      await trainToyModel(db, env.MODEL_DIR, { seed: 2, activate: false });
    } finally {
      await db.close();
    }
    const train = (extra: string[] = []) =>
      newsintel(
        ["train", sections, "--name", "section", "--folds", "0", "--promote", "--json", ...extra],
        env,
      );

    const versions: string[] = [];
    await t.step("train --name section --promote activates a section model only", async () => {
      for (const seed of ["1", "2"]) {
        const run = await train(["--seed", seed]);
        assert.equal(run.code, 0, run.stderr);
        versions.push(JSON.parse(run.stdout).version);
      }
      const db = await openDb(env.DB_URL);
      try {
        assert.equal(await activeModelVersion(db, "section"), versions[1]);
        assert.equal(await activeModelVersion(db), topic);
      } finally {
        await db.close();
      }
    });

    await t.step("a --name that cannot be a taxonomy is refused", async () => {
      const run = await newsintel(["train", sections, "--name", "Bad Name", "--promote"], env);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /taxonomy name/);
    });

    await t.step("models list groups by taxonomy, one active per taxonomy", async () => {
      const run = await newsintel(["models", "list"], env);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split("\n");
      assert.equal(lines[0], "topic:");
      const sectionAt = lines.indexOf("section:");
      assert.equal(sectionAt, 3);
      assert.equal(lines.filter((l) => l.startsWith("  * ")).length, 2);
      assert.match(lines[sectionAt + 1], new RegExp(`^ {2}\\* ${versions[1]} {2}section `));
    });

    await t.step("rollback --taxonomy section leaves the topic model active", async () => {
      const run = await newsintel(["models", "rollback", "--taxonomy", "section"], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`rolled back section: ${versions[0]} is now active`));
      const db = await openDb(env.DB_URL);
      try {
        assert.equal(await activeModelVersion(db, "section"), versions[0]);
        assert.equal(await activeModelVersion(db), topic);
      } finally {
        await db.close();
      }
      const unknown = await newsintel(["models", "rollback", "--taxonomy", "weather"], env);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /no taxonomy weather/);
    });

    await t.step("promote VERSION activates in its model's taxonomy", async () => {
      const run = await newsintel(["models", "promote", versions[1]], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /is now the active section model/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
