import assert from "node:assert/strict";
import { countGivenLabels, labelledArticles } from "../db/given_labels.ts";
import { activateModel, registerModel } from "../db/models.ts";
import { getReviewItem } from "../db/review/mod.ts";
import { testDatabases } from "../testing/db/test_db.ts";
import type { DatasetRecord } from "../datasets/mod.ts";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import { queueLabelIssues } from "./label_issues.ts";
import { toyVectorProvider, writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";
import { WordVectorsError } from "../ml/word_vectors.ts";
import { seedRecords } from "./seed.ts";

/** The toy corpus as records, with every 15th label moved to the next toy label. */
function noisyRecords(n: number): { records: DatasetRecord[]; flipped: Set<number> } {
  const flipped = new Set<number>();
  const records = toyCorpus(n, 3).map((e, i) => {
    let label = e.label;
    if (i % 15 === 7) {
      label = TOY_LABELS[(TOY_LABELS.indexOf(label) + 1) % TOY_LABELS.length];
      flipped.add(i);
    }
    return { externalId: `toy-${i}`, title: e.text, body: "", source: "toy", label };
  });
  return { records, flipped };
}

async function* each<T>(list: T[]): AsyncGenerator<T> {
  for (const x of list) yield x;
}

const OPTIONS = { maxIssues: 50, actor: "seed", requiredLabels: 1, folds: 3, repeats: 1 };

for (const { name, open } of testDatabases()) {
  Deno.test(`queueLabelIssues() (${name})`, async (t) => {
    const tdb = await open();
    const { db } = tdb;
    try {
      const { records, flipped } = noisyRecords(150);
      const labelled: number[] = [];
      await seedRecords(db, each(records), {
        batchSize: 40,
        labelSource: "toy.jsonl",
        onLabelled: (ids) => labelled.push(...ids),
      });

      await t.step("seed keeps every given label, with its data set", async () => {
        assert.equal(await countGivenLabels(db), 150);
        assert.equal(labelled.length, 150);
        const stored = await labelledArticles(db, { limit: 1000 });
        assert.deepEqual(stored.map((r) => r.label), records.map((r) => r.label));
      });

      await t.step("without an active model nothing is queued", async () => {
        assert.deepEqual(await queueLabelIssues(db, OPTIONS), { kind: "noActiveModel" });
      });

      await registerModel(db, {
        version: "toy-v1",
        name: "toy",
        labels: TOY_LABELS,
        origin: "trained",
        location: "toy-v1",
      });
      await db.transaction((tx) =>
        activateModel(tx, { version: "toy-v1", action: "promote", actor: "test" })
      );

      await t.step("too few labelled rows for the folds is said, not thrown", async () => {
        const r = await queueLabelIssues(db, { ...OPTIONS, articleIds: labelled.slice(0, 2) });
        assert.deepEqual(r, { kind: "tooFewLabelled", labelled: 2, needed: 3 });
      });

      let first: number[] = [];
      await t.step("queues the flipped rows, suggestion beside the given label", async () => {
        const r = await queueLabelIssues(db, { ...OPTIONS, articleIds: labelled });
        assert.equal(r.kind, "ok");
        if (r.kind !== "ok") return;
        assert.equal(r.ranked, 150);
        assert.ok(r.queued.length >= 1 && r.queued.length <= 50);
        assert.equal(
          r.queued.length + r.attached.length + r.alreadyQueued + r.outsideModel,
          Math.min(r.flagged, 50),
        );
        first = r.queued;
        let hits = 0;
        for (const id of r.queued) {
          const item = (await getReviewItem(db, id))!;
          const row = labelled.indexOf(item.articleId);
          assert.equal(item.labelIssue!.given, records[row].label);
          assert.notEqual(item.labelIssue!.suggested, item.labelIssue!.given);
          assert.equal(item.predictedLabel, item.labelIssue!.suggested);
          if (flipped.has(row)) hits++;
        }
        assert.ok(hits >= Math.min(5, r.queued.length / 2), `${hits} of ${r.queued.length}`);
      });

      await t.step("running it again queues nothing new", async () => {
        const r = await queueLabelIssues(db, { ...OPTIONS, articleIds: labelled });
        assert.ok(r.kind === "ok");
        assert.deepEqual(r.queued, []);
        assert.deepEqual(r.attached, []);
        assert.equal(r.alreadyQueued, first.length);
        assert.equal(r.vectors, false);
      });

      await t.step(
        "vectors are read only when the active model was trained with them",
        async () => {
          let read = 0;
          const file = await writeToyVectorsFile();
          try {
            const provider = toyVectorProvider(file);
            const vectors = (need: Parameters<typeof provider>[0]) => (read++, provider(need));
            const without = await queueLabelIssues(db, {
              ...OPTIONS,
              articleIds: labelled,
              vectors,
            });
            assert.ok(without.kind === "ok" && !without.vectors);
            assert.equal(read, 0);

            await registerModel(db, {
              version: "toy-v2",
              name: "toy",
              labels: TOY_LABELS,
              origin: "trained",
              location: "toy-v2",
              manifest: { vectors: { source: "glove" } },
            });
            await db.transaction((tx) =>
              activateModel(tx, { version: "toy-v2", action: "promote", actor: "test" })
            );
            const withVectors = await queueLabelIssues(db, {
              ...OPTIONS,
              articleIds: labelled,
              vectors,
            });
            assert.ok(withVectors.kind === "ok" && withVectors.vectors);
            assert.ok(read > 0);
          } finally {
            await Deno.remove(file);
          }
        },
      );

      await t.step("unreadable vectors: ranked without them, not failed", async () => {
        const r = await queueLabelIssues(db, {
          ...OPTIONS,
          articleIds: labelled,
          vectors: () => Promise.reject(new WordVectorsError("is not installed")),
        });
        assert.ok(r.kind === "ok");
        assert.equal(r.vectors, false);
        assert.equal(r.ranked, 150);
      });
    } finally {
      await tdb.close();
    }
  });
}
