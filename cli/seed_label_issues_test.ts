/**
 * `newsintel seed --label-issues` as users run it: the seeded rows' labels ranked and the
 * suspected errors queued once; a decision on one is the label the next `train` uses.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../db/mod.ts";
import { claimNext, decide, getReviewItem, listReviewItems } from "../db/review/mod.ts";
import { readDataset } from "../datasets/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import { examplesFrom, trainingDataHash } from "../services/training.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel seed --label-issues queues suspected label errors once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-seed-issues-" });
  const dbUrl = `pglite://${dir}/db`;
  const env = {
    DB_URL: dbUrl,
    DATA_DIR: dir,
    MODEL_DIR: join(dir, "models"),
    // Ingestion routes nothing to review, so every item queued is a label issue.
    REVIEW_THRESHOLD: "0",
    REVIEW_AUDIT_RATE: "0",
  };
  const withDb = async <T>(fn: (db: Awaited<ReturnType<typeof openDb>>) => Promise<T>) => {
    const db = await openDb(dbUrl);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  try {
    const rows = toyCorpus(150, 3).map((e, i) => ({
      text: e.text,
      label: i % 15 === 7 ? TOY_LABELS[(TOY_LABELS.indexOf(e.label) + 1) % 3] : e.label,
    }));
    const file = join(dir, "toy.jsonl");
    await Deno.writeTextFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const args = ["seed", file, "--label-issues", "--max-issues", "20", "--json"];

    // Refusals: a bad bound, a bound without the ranking.
    const [bad, alone] = await Promise.all([
      newsintel(["seed", file, "--label-issues", "--max-issues", "0"], env),
      newsintel(["seed", file, "--max-issues", "5"], env),
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--max-issues takes a whole number from 1 to 10000/);
    assert.notEqual(alone.code, 0);
    assert.match(alone.stderr, /--max-issues goes with --label-issues/);
    // Seeding classifies with the active model: a small one trained on the file, promoted.
    const trained = await newsintel(["train", file, "--folds", "0", "--promote", "--json"], env);
    assert.equal(trained.code, 0, trained.stderr);

    const first = await newsintel(args, env);
    assert.equal(first.code, 0, first.stderr);
    const out = JSON.parse(first.stdout);
    assert.equal(out.read, 150);
    assert.equal(out.labelIssues.ranked, 150);
    assert.ok(out.labelIssues.queued >= 1 && out.labelIssues.queued <= 20);
    assert.equal(out.labelIssues.alreadyQueued, 0);
    assert.equal(out.labelIssues.attached, 0, "routing at ingestion queued nothing");

    const again = await newsintel(args, env);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout).labelIssues;
    assert.equal(second.queued, 0, "nothing is queued twice");
    assert.equal(second.alreadyQueued, out.labelIssues.queued);

    // A reviewer takes the suggestion on one: that is the label training now uses.
    const decided = await withDb(async (db) => {
      const items = await listReviewItems(db, { reason: "label_issue" }, { limit: 100 });
      assert.equal(items.length, out.labelIssues.queued);
      const [item] = await claimNext(db, "ann", { filters: { reason: "label_issue" } });
      const r = await decide(db, "ann", item.id, { action: "accept" });
      assert.equal(r.kind, "ok");
      const after = (await getReviewItem(db, item.id))!;
      assert.equal(after.finalLabel, item.labelIssue!.suggested);
      return { text: articleText(item.article.title, after.article.body ?? ""), item: after };
    });
    const fileExamples = await examplesFrom(readDataset(file));
    const at = fileExamples.findIndex((e) => e.text === decided.text);
    assert.ok(at >= 0, "the decided article is a row of the file");
    assert.equal(fileExamples[at].label, decided.item.labelIssue!.given);
    const expected = fileExamples.map((e, i) =>
      i === at ? { ...e, label: decided.item.labelIssue!.suggested } : e
    );

    const train = await newsintel(["train", file, "--folds", "0", "--json"], env);
    assert.equal(train.code, 0, train.stderr);
    const manifest = JSON.parse(train.stdout);
    assert.deepEqual(manifest.trainingData, trainingDataHash(expected));
    assert.notDeepEqual(manifest.trainingData, trainingDataHash(fileExamples));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
