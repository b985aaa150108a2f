import assert from "node:assert/strict";
import { getArticle, listArticles } from "../db/articles.ts";
import type { Db } from "../db/mod.ts";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { contentHash, dedupKey } from "./article_rows.ts";
import {
  ingestArticles,
  prepareArticles,
  STORY_SLICE,
  STORY_SLICE_CHARS,
  STORY_SLICE_CHARS_POSTGRES,
  STORY_SLICE_POSTGRES,
} from "./ingest.ts";
import { createTextServices, type TextServices } from "./text_services.ts";
import { registerModel } from "../db/models.ts";
import { ROWS_PER_STATEMENT } from "../db/statements.ts";
import { fillStories } from "./stories.ts";
import { type LoggedStatement, loggingDb, statementsLike } from "../testing/db/statement_log.ts";
import type { ModelInput, ModelRuntime } from "./model_runtime.ts";

Deno.test("dedupKey() prefers the external id, then the url, then the content", () => {
  const h = contentHash("T", "B");
  assert.equal(dedupKey({ externalId: "x", url: "https://a", title: "T", body: "B" }, h), "ext:x");
  assert.equal(dedupKey({ url: "https://a", title: "T", body: "B" }, h), "url:https://a/");
  assert.equal(dedupKey({ title: "T", body: "B" }, h), `hash:${h}`);
  assert.equal(contentHash("Hello  World", "x"), contentHash("hello world", " x "));
});

Deno.test("ingestArticles() stores a summary and the detected language of each new article", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const text = await createTextServices(loadConfig({}));
    const outcomes = await ingestArticles(db, [
      {
        title: "Le gouvernement présente son budget",
        body:
          "Le gouvernement a présenté mercredi un budget de rigueur. Les syndicats ont dénoncé des " +
          "coupes dans les services publics. Le débat commence la semaine prochaine à l'Assemblée.",
      },
      {
        title: "Storm closes schools",
        body:
          "A winter storm closed schools across the region on Monday. Officials urged drivers to stay " +
          "home. Power was out for thousands of homes.",
      },
      { title: "Given language is kept", body: "This one says what it is.", language: "de" },
    ], { text });
    const [fr, en, de] = await Promise.all(outcomes.map((o) => getArticle(db, o.id)));
    assert.equal(fr?.language, "fr");
    assert.equal(en?.language, "en");
    assert.ok((en?.languageConfidence ?? 0) > 0.5);
    assert.equal(de?.language, "de");
    assert.equal(de?.languageConfidence, null);
    assert.equal(en?.summaryMethod, "extractive");
    assert.ok(en?.summary?.startsWith("A winter storm closed schools"));
    assert.deepEqual((await listArticles(db, { language: "fr", limit: 10 })).map((a) => a.id), [
      fr!.id,
    ]);
  } finally {
    await close();
  }
});

/** A timer that re-arms itself: its count tells which turn of the event loop it is. */
function loopTurns() {
  let turns = 0;
  let on = true;
  const tick = () => {
    turns++;
    if (on) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return { now: () => turns, stop: () => on = false };
}

/** Text services that note the loop turn each article was summarized and language-tagged in. */
function recordingText(turn: () => number, seen: number[]): TextServices {
  return {
    summaryMethod: "extractive",
    summarize: (o) => {
      seen.push(turn());
      return Promise.resolve({ summary: o.text.slice(0, 40), sentences: [], method: "extractive" });
    },
    detectLanguage: () => ({ language: "en", confidence: 0.9 }),
  };
}

const longArticle = (i: number) => ({
  externalId: `long-${i}`,
  title: `Long report ${i}`,
  body: `Paragraph ${i} of a long report on the harbour works. `.repeat(200), // ~10 KB
});

Deno.test("prepareArticles() gives timers a turn between slices of a large batch", async () => {
  const turns = loopTurns();
  const seen: number[] = [];
  try {
    const inputs = Array.from({ length: 100 }, (_, i) => longArticle(i)); // ~1 MB
    const { rows } = await prepareArticles(inputs, { text: recordingText(turns.now, seen) });
    assert.equal(rows.length, 100);
    assert.equal(seen.length, 100);
    // The loop gets a turn every few ms of work (lib/slices.ts turnTaker): 1 MB of articles
    // takes far longer than one budget, so they span more than one turn (how many depends
    // on the machine's speed, so only that is checked).
    assert.ok(new Set(seen).size >= 2, `turns ${new Set(seen).size}`);
  } finally {
    turns.stop();
  }
});

Deno.test("prepareArticles() starts a large batch on a turn of its own, a small one at once", async () => {
  const turns = loopTurns();
  try {
    for (
      const [inputs, later] of [[[longArticle(1)], false], [
        Array.from({ length: 30 }, (_, i) => longArticle(i)), // ~300 KB
        true,
      ]] as const
    ) {
      const seen: number[] = [];
      const before = turns.now();
      await prepareArticles([...inputs], { text: recordingText(turns.now, seen) });
      // The first article is summarized in the turn the call was made in, or a later one.
      assert.equal(seen[0] > before, later, `${inputs.length} articles`);
    }
  } finally {
    turns.stop();
  }
});

Deno.test("ingestArticles() stores a large batch in slices: input-order ids, duplicates once", async () => {
  const { db, close } = await pgliteTestDb();
  const turns = loopTurns();
  try {
    const inputs = Array.from({ length: 60 }, (_, i) => longArticle(59 - i)); // ~600 KB
    inputs.push(longArticle(10)); // a repeat, in the same batch
    const before = turns.now();
    const outcomes = await ingestArticles(db, inputs);
    assert.ok(turns.now() - before >= 3, "the loop ran between the slices of the write");
    const created = outcomes.filter((o) => o.status === "created");
    assert.equal(created.length, 60);
    const ids = created.map((o) => o.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "ids follow the input order");
    assert.equal(outcomes[60].status, "duplicate");
    assert.equal(outcomes[60].id, outcomes[49].id); // long-10 was the 50th sent
    const stored = await getArticle(db, outcomes[0].id);
    assert.equal(stored?.externalId, "long-59");
    // Sent again: every one a duplicate of the stored row.
    const again = await ingestArticles(db, inputs.slice(0, 5));
    assert.deepEqual(
      again.map((o) => [o.status, o.id]),
      outcomes.slice(0, 5).map((o) => ["duplicate", o.id]),
    );
  } finally {
    turns.stop();
    await close();
  }
});

const TOPIC = { name: "toy", version: "toy-1", labels: ["a", "b"], taxonomy: "topic" };
const SECTION = { name: "sec", version: "sec-1", labels: ["x", "y"], taxonomy: "section" };

/** Two served models (two taxonomies), the topic one with vectors; every prediction unsure. */
const twoModels = {
  classifyAll: (texts: ModelInput[]) =>
    Promise.resolve([TOPIC, SECTION].map((model, k) => ({
      model,
      predictions: texts.map(() => ({
        label: model.labels[0],
        score: 0.55,
        scores: { [model.labels[0]]: 0.55, [model.labels[1]]: 0.45 },
      })),
      ...(k === 0 ? { vectors: texts.map((_, i) => Float32Array.from([i % 7, 1, 2])) } : {}),
    }))),
} as unknown as ModelRuntime;

Deno.test("storing a batch of 250 articles writes no statement of more than the bound's rows", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    for (const m of [TOPIC, SECTION]) {
      await registerModel(db, { ...m, origin: "trained", location: m.version });
    }
    const inputs = Array.from({ length: 250 }, (_, i) => ({
      externalId: `b-${i}`,
      title: `Harbour report ${i}`,
      body: `Cranes and ships ${i}. `.repeat(i % 50 === 0 ? 600 : 10), // a few of ~12 KB
      publishedAt: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))).toISOString(),
    }));
    const log: LoggedStatement[] = [];
    const review = { threshold: 0.9, auditRate: 0, overlap: 1, languages: [] };
    const outcomes = await ingestArticles(loggingDb(db, log), inputs, {
      models: twoModels,
      review,
    });
    assert.equal(outcomes.filter((o) => o.status === "created").length, 250);
    const writes = [
      "WITH r AS MATERIALIZED", // articles
      "INSERT INTO predictions",
      "INSERT INTO article_vectors",
      "WITH ins AS ( INSERT INTO review_items",
      "INSERT INTO trend_stats_pending",
    ];
    for (const prefix of writes) {
      const statements = statementsLike(log, prefix);
      assert.ok(statements.length > 1, `${prefix}: ${statements.length} statements`);
      assert.ok(
        statements.every((s) => s.rows <= ROWS_PER_STATEMENT),
        `${prefix}: ${statements.map((s) => s.rows)}`,
      );
    }
    // A long batch's writes go one after the other, not interleaved: on the embedded
    // database, writes sent together run a statement of each between two turns.
    const spans = writes.slice(1).map((prefix) => {
      const at = log.flatMap((s, i) => (s.sql.startsWith(prefix) ? [i] : []));
      return [at[0], at.at(-1)!];
    });
    for (let k = 1; k < spans.length; k++) {
      assert.ok(spans[k - 1][1] < spans[k][0], `${writes[k]} before ${writes[k + 1]}`);
    }
    // Everything written, each once: two predictions and one queued item per model.
    const [counts] = await db.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM articles) AS articles,
              (SELECT count(*)::int FROM predictions) AS predictions,
              (SELECT count(*)::int FROM article_vectors) AS vectors,
              (SELECT count(*)::int FROM review_items) AS items,
              (SELECT count(*)::int FROM article_stories) AS grouped,
              (SELECT sum(jsonb_array_length(stats))::int FROM trend_stats_pending) AS stats`,
    );
    assert.deepEqual(counts, {
      articles: 250,
      predictions: 500,
      vectors: 250,
      items: 500,
      grouped: 250,
      stats: 500,
    });
  } finally {
    await close();
  }
});

Deno.test("stories are grouped a bounded number of articles and characters a call", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    // Six articles of ~12 KB (two a call under the character bound), then short ones
    // (STORY_SLICE a call).
    const long = Math.floor(STORY_SLICE_CHARS / 2) - 100;
    const inputs = [
      ...Array.from({ length: 6 }, (_, i) => ({
        externalId: `l-${i}`,
        title: `Harbour report ${i}`,
        body: `Cranes and ships ${i} unload grain. `.repeat(400).slice(0, long),
        publishedAt: "2024-05-01T10:00:00Z",
      })),
      ...Array.from({ length: STORY_SLICE + 1 }, (_, i) => ({
        externalId: `s-${i}`,
        title: `Market note ${i}`,
        body: `Shares rose ${i}.`,
        publishedAt: "2024-05-02T10:00:00Z",
      })),
    ];
    const log: LoggedStatement[] = [];
    const outcomes = await ingestArticles(loggingDb(db, log), inputs);
    assert.equal(outcomes.filter((o) => o.status === "created").length, inputs.length);
    // One candidate look-up a call: three calls of two long articles (the first short one
    // fits in with the last pair), then one of the other STORY_SLICE short ones.
    assert.equal(statementsLike(log, "WITH q AS MATERIALIZED").length, 4);
    const [grouped] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM article_stories",
    );
    assert.equal(grouped.n, inputs.length);
  } finally {
    await close();
  }
});

Deno.test("on PostgreSQL, stories are grouped up to the PostgreSQL bounds a call", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    // PostgreSQL runs statements off the event loop: the embedded bounds would only multiply
    // the calls' fixed cost there; its own bound the synchronous work around each call.
    const long = Math.floor(STORY_SLICE_CHARS_POSTGRES / 4) - 100;
    const inputs = Array.from({ length: STORY_SLICE_POSTGRES + 5 }, (_, i) => ({
      externalId: `p-${i}`,
      title: `Market note ${i}`,
      body: i < 6
        ? `Cranes and ships ${i} unload grain. `.repeat(1_500).slice(0, long)
        : `Shares ${i}.`,
      publishedAt: "2024-05-02T10:00:00Z",
    }));
    const log: LoggedStatement[] = [];
    const asPostgres: Db = { ...loggingDb(db, log), kind: "postgres" };
    const outcomes = await ingestArticles(asPostgres, inputs);
    assert.equal(outcomes.filter((o) => o.status === "created").length, inputs.length);
    // One look-up a call: four long articles (the fifth would pass the character bound),
    // then STORY_SLICE_POSTGRES articles (two long, the rest short), then the last three;
    // the embedded bounds would have made 3 calls of the long articles and 21 of the rest.
    assert.equal(statementsLike(log, "WITH q AS MATERIALIZED").length, 3);
    const [grouped] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM article_stories",
    );
    assert.equal(grouped.n, inputs.length);
  } finally {
    await close();
  }
});

/** Each article's story, as sets of the articles' external ids grouped together. */
async function storyPartition(db: Db): Promise<string[][]> {
  const rows = await db.query<{ ids: string[] }>(
    `SELECT array_agg(a.external_id ORDER BY a.external_id) AS ids
       FROM articles a JOIN article_stories s ON s.article_id = a.id
      GROUP BY s.story_id ORDER BY min(a.external_id)`,
  );
  return rows.map((r) => r.ids);
}

Deno.test("with stories off, articles are stored ungrouped; a rebuild groups them as ingestion does", async () => {
  const inputs = [
    [
      "q1",
      "Earthquake shakes coastal city",
      "A strong earthquake shook the coastal city of Izmir on Friday, officials said.",
    ],
    [
      "q2",
      "Izmir earthquake: rescuers search rubble",
      "Rescuers in Izmir searched collapsed buildings after the earthquake.",
    ],
    [
      "f1",
      "Central bank raises interest rates",
      "The central bank raised its key interest rate by half a point to fight inflation.",
    ],
    [
      "q3",
      "Earthquake shakes coastal city",
      "A strong earthquake shook the coastal city of Izmir on Friday, officials said.",
    ],
    [
      "f2",
      "Rate rise: central bank acts on inflation",
      "Inflation pushed the central bank to raise interest rates again, economists said.",
    ],
  ].map(([externalId, title, body], i) => ({
    externalId,
    title,
    body,
    publishedAt: `2024-05-0${1 + Math.floor(i / 2)}T10:00:00Z`,
  }));
  const grouped = await pgliteTestDb();
  const later = await pgliteTestDb();
  try {
    await ingestArticles(grouped.db, inputs);
    await ingestArticles(later.db, inputs, { stories: false });
    const [none] = await later.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM article_stories",
    );
    assert.equal(none.n, 0);
    assert.equal(await fillStories(later.db, { rebuild: true }), inputs.length);
    const partition = await storyPartition(grouped.db);
    assert.equal(partition.flat().length, inputs.length);
    assert.ok(partition.some((ids) => ids.length > 1), "some articles share a story");
    assert.deepEqual(await storyPartition(later.db), partition);
  } finally {
    await grouped.close();
    await later.close();
  }
});
