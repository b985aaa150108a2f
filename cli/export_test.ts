/**
 * `newsintel export` and `newsintel train --reviewed/--no-reviewed` as users
 * run them: `deno run main.ts` subprocesses on an embedded database prepared
 * here; `train --out` with no database at all.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { migrate } from "../db/migrate.ts";
import { openDb } from "../db/mod.ts";
import { claimNext, decide } from "../db/review/mod.ts";
import { ok, registerTestModel, seedQueue } from "../testing/db/review/test_helpers.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { verifyModelDir } from "../ml/model_dir.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel export and train use the reviewed labels", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-export-" });
  const env = {
    DB_URL: `pglite://${join(dir, "db")}`,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
  };
  try {
    // Article 0 is also in the training file with another label; article 1 is not.
    const db = await openDb(env.DB_URL);
    try {
      await migrate(db);
      await registerTestModel(db);
      const [first, second, third] = await seedQueue(db, 3);
      const items = await claimNext(db, "ann", { limit: 3, order: "oldest" });
      const byArticle = new Map(items.map((i) => [i.articleId, i.id]));
      ok(await decide(db, "ann", byArticle.get(first)!, { action: "label", label: "sport" }));
      ok(await decide(db, "ann", byArticle.get(second)!, { action: "label", label: "markets" }));
      ok(
        await decide(db, "ann", byArticle.get(third)!, { action: "flag", flagReason: "not_news" }),
      );
    } finally {
      await db.close();
    }
    const data = join(dir, "train.jsonl");
    const corpus = toyCorpus(150, 3).map((e) => JSON.stringify(e));
    corpus.push(
      JSON.stringify({ title: "a title 0", body: "a body of article 0", label: "science" }),
    );
    await Deno.writeTextFile(data, corpus.join("\n") + "\n");

    await t.step("export --out writes JSON Lines, one row per reviewed article", async () => {
      const out = join(dir, "reviews.jsonl");
      const run = await newsintel(["export", "--out", out], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /exported 3 reviewed articles to /);
      const rows = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((r) => [r.title, r.label, r.status]), [
        ["a title 0", "sport", "done"],
        ["a title 1", "markets", "done"],
        ["a title 2", null, "flagged"],
      ]);
      assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.includes(".tmp-")), []);
    });

    await t.step("export --format csv writes CSV to standard output", async () => {
      const run = await newsintel(["export", "--format", "csv"], env);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split("\r\n");
      assert.equal(lines.length, 4);
      assert.match(lines[0], /^itemId,articleId,externalId,/);
      assert.match(lines[1], /,a title 0,a body of article 0,sport,done,/);
    });

    await t.step(
      "export --taxonomy names whose reviews, and refuses one nobody serves",
      async () => {
        const none = await newsintel(["export", "--taxonomy", "section"], env);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /No model serves the taxonomy "section"; known: topic/);
        const topic = await newsintel(["export", "--taxonomy", "topic"], env);
        assert.equal(topic.code, 0, topic.stderr);
        assert.equal(topic.stdout.trim().split("\n").length, 3);
      },
    );

    await t.step("export refuses an unknown format", async () => {
      const run = await newsintel(["export", "--format", "xml"], env);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /Allowed choices are jsonl, csv/);
    });

    await t.step(
      "train merges reviewed labels by default, and not with --no-reviewed",
      async () => {
        const merged = await newsintel(["train", data, "--seed", "2"], env);
        assert.equal(merged.code, 0, merged.stderr);
        assert.match(merged.stdout, /reviewed labels: 1 relabelled file examples, 1 added/);
        assert.match(merged.stdout, /on 152 examples/);
        const plain = await newsintel(
          ["train", data, "--seed", "2", "--no-reviewed", "--json"],
          env,
        );
        assert.equal(plain.code, 0, plain.stderr);
        assert.equal(JSON.parse(plain.stdout).trainingData.size, 151);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("newsintel export --format csv neutralises text that a spreadsheet would run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-export-csv-" });
  const env = { DB_URL: `pglite://${join(dir, "db")}`, DATA_DIR: dir, MODEL_DIR: dir };
  try {
    const db = await openDb(env.DB_URL);
    try {
      await migrate(db);
      await registerTestModel(db);
      await seedQueue(db, 1, {
        prefix: '=HYPERLINK("http://evil.example")',
        source: () => "+wire",
      });
      const [item] = await claimNext(db, "@ann", { limit: 1, order: "oldest" });
      await decide(db, "@ann", item.id, { action: "label", label: "sport" });
    } finally {
      await db.close();
    }
    const run = await newsintel(["export", "--format", "csv"], env);
    assert.equal(run.code, 0, run.stderr);
    const [header, row] = parse(run.stdout) as string[][];
    const cell = (name: string) => row[header.indexOf(name)];
    assert.equal(cell("title"), `'=HYPERLINK("http://evil.example") title 0`);
    assert.equal(cell("externalId"), `'=HYPERLINK("http://evil.example")-0`);
    assert.equal(cell("source"), "'+wire");
    assert.equal(cell("reviewers"), "'@ann");
    assert.deepEqual(row.filter((c) => /^[=+\-@\t\r]/.test(c)), [], "no cell starts a formula");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("newsintel train --out writes a model directory without a database", async () => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-train-out-" });
  // Nothing listens there: the command must not need the database.
  const env = { DB_URL: "postgres://127.0.0.1:1/none", DATA_DIR: dir, MODEL_DIR: dir };
  try {
    const data = join(dir, "train.jsonl");
    await Deno.writeTextFile(
      data,
      toyCorpus(150, 3).map((e) => JSON.stringify(e)).join("\n") + "\n",
    );
    const out = join(dir, "offline");
    const run = await newsintel(["train", data, "--seed", "2", "--out", out, "--json"], env);
    assert.equal(run.code, 0, run.stderr);
    const manifest = JSON.parse(run.stdout);
    assert.equal(manifest.trainingData.size, 150);
    assert.deepEqual((await verifyModelDir(join(out, manifest.version))).version, manifest.version);
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), [manifest.version]);

    const refused = await newsintel(["train", data, "--out", out, "--promote"], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--out trains without the database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
