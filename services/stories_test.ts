// Stories at ingestion and for older articles, on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { getArticle, insertArticles } from "../db/articles.ts";
import { getStory, listStories } from "../db/stories.ts";
import { ingestArticles } from "./ingest.ts";
import { toNewArticle } from "./article_rows.ts";
import { fillStories, groupIntoStories } from "./stories.ts";
import { lookupOf } from "./story_lookup.ts";
import type { StoryLookup } from "../db/story_index.ts";
import { placeInStories } from "../db/story_placement.ts";
import type { Queryable } from "../db/mod.ts";

const ALL = { from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", limit: 100 };

/** Three reports of one event, a near duplicate a week later, and an unrelated article. */
const ARTICLES = [
  {
    title: "Sudan Talks in Nigeria Said Deadlocked",
    body: "Peace talks between Sudan's government and Darfur rebels in Abuja are deadlocked.",
    publishedAt: "2024-09-01T10:00:00Z",
    source: "reuters",
  },
  {
    title: "Sudan Talks in Nigeria Said Deadlocked (Reuters)",
    body:
      "Peace talks between Sudan's government and Darfur rebels in Abuja are deadlocked, mediators said.",
    publishedAt: "2024-09-01T12:00:00Z",
    source: "yahoo",
  },
  {
    title: "Sudan talks in Nigeria deadlocked",
    body: "Talks between Sudan's government and Darfur rebels in Abuja deadlocked on Tuesday.",
    publishedAt: "2024-09-02T08:00:00Z",
    source: "ap",
  },
  {
    title: "Sudan Talks in Nigeria Said Deadlocked",
    body: "Peace talks between Sudan's government and Darfur rebels in Abuja are deadlocked again.",
    publishedAt: "2025-06-09T10:00:00Z",
    source: "late",
  },
  {
    title: "Intel lauds milestone in shrinking chips",
    body: "Intel says it has built memory chips with 65-nanometer transistors.",
    publishedAt: "2024-09-01T11:00:00Z",
    source: "cnet",
  },
];

Deno.test("lookupOf() narrows a look-up to the articles stored, in their order", () => {
  const found: StoryLookup = {
    total: 7,
    df: new Map([["sudan", 2]]),
    queried: [["a"], ["b"], ["c"]],
    candidates: [[{ id: 1, hits: 1 }], [{ id: 2, hits: 2 }], [{ id: 3, hits: 3 }]],
    profiles: new Map([[1, null], [2, "p"], [3, null]]),
    copies: [
      { article: 0, articleId: 10, storyId: 1, minhash: "m0" },
      { article: 2, articleId: 12, storyId: 3, minhash: "m2" },
    ],
  };
  const narrowed = lookupOf(found, [2, 1]);
  assert.deepEqual(narrowed.queried, [["c"], ["b"]]);
  assert.deepEqual(narrowed.candidates, [[{ id: 3, hits: 3 }], [{ id: 2, hits: 2 }]]);
  assert.deepEqual(narrowed.copies, [{ article: 0, articleId: 12, storyId: 3, minhash: "m2" }]);
  assert.equal(narrowed.total, 7);
  assert.equal(narrowed.profiles, found.profiles);
});

for (const { name, open } of testDatabases()) {
  Deno.test(`ingestArticles() groups reports of one event into a story (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      // Two batches: the third report finds the first two through their stored band keys.
      const first = await ingestArticles(db, ARTICLES.slice(0, 2));
      const rest = await ingestArticles(db, ARTICLES.slice(2));
      const ids = [...first, ...rest].map((o) => o.id);
      const stories = await Promise.all(ids.map(async (id) => (await getArticle(db, id))!.story));
      assert.ok(stories.every((s) => s !== null));
      assert.equal(stories[0], stories[1]);
      assert.equal(stories[0], stories[2]);
      assert.notEqual(stories[3], stories[0], "months later is another story");
      assert.notEqual(stories[4], stories[0]);
      const [big] = await listStories(db, { ...ALL, minArticles: 2 });
      assert.equal(big.id, stories[0]);
      assert.equal(big.articles, 3);
      assert.equal(big.title, "Sudan Talks in Nigeria Said Deadlocked");
      assert.deepEqual(big.sources, ["ap", "reuters", "yahoo"]);
      assert.equal(big.firstSeen, "2024-09-01T10:00:00.000Z");
      assert.equal(big.lastSeen, "2024-09-02T08:00:00.000Z");
      assert.equal((await listStories(db, { ...ALL, minArticles: 1 })).length, 3);
      const story = await getStory(db, big.id, 10);
      assert.deepEqual(story!.items.map((i) => i.id), ids.slice(0, 3));
      assert.equal(await getStory(db, 999_999, 10), null);
    } finally {
      await close();
    }
  });

  Deno.test(`fillStories() groups articles stored without a story, once (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      // Stored without grouping, as before stories were kept; the backfill mark as the
      // migration leaves it for a database with articles.
      const stored = await insertArticles(db, ARTICLES.map((a) => toNewArticle(a)));
      await db.query("INSERT INTO stories_backfill (after_id) VALUES (0)");
      assert.equal((await getArticle(db, stored[0].id))!.story, null);
      assert.equal(await fillStories(db), 5);
      assert.equal(await fillStories(db), 0, "nothing left: one lookup");
      const story = (await getArticle(db, stored[0].id))!.story;
      assert.equal((await getArticle(db, stored[2].id))!.story, story);
      const [big] = await listStories(db, { ...ALL, minArticles: 2 });
      assert.equal(big.articles, 3);
      // A rebuild forgets and regroups everything, to the same groups.
      assert.equal(await fillStories(db, { rebuild: true }), 5);
      const again = await listStories(db, { ...ALL, minArticles: 1 });
      assert.deepEqual(again.map((s) => s.articles), [3, 1, 1]);
    } finally {
      await close();
    }
  });

  Deno.test(`migration 0017 forgets the stories so that serve groups every article again (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const ids = (await ingestArticles(db, ARTICLES)).map((o) => o.id);
      const sql = await Deno.readTextFile(
        new URL("../migrations/0017_story_title_weight.sql", import.meta.url),
      );
      await db.transaction(async (tx) => {
        for (const statement of sql.replace(/--.*$/gm, "").split(";")) {
          if (statement.trim()) await tx.query(statement);
        }
      });
      assert.equal((await getArticle(db, ids[0]))!.story, null);
      assert.deepEqual(await listStories(db, { ...ALL, minArticles: 1 }), []);
      assert.equal(await fillStories(db), 5);
      const again = await listStories(db, { ...ALL, minArticles: 1 });
      assert.deepEqual(again.map((s) => s.articles), [3, 1, 1]);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`migration 0024 marks every article for regrouping by the event method (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const ids = (await ingestArticles(db, ARTICLES)).map((o) => o.id);
      const sql = await Deno.readTextFile(
        new URL("../migrations/0024_story_profiles.sql", import.meta.url),
      );
      // Its data statements (the schema changes are in place already).
      const reset0024 = sql.replace(/--.*$/gm, "").split(";").map((s) => s.trim())
        .filter((s) => /^(DELETE|INSERT)/.test(s));
      assert.equal(reset0024.length, 5);
      await db.transaction(async (tx) => {
        for (const statement of reset0024) await tx.query(statement);
      });
      assert.equal((await getArticle(db, ids[0]))!.story, null);
      assert.equal(await fillStories(db), 5);
      const again = await listStories(db, { ...ALL, minArticles: 1 });
      assert.deepEqual(again.map((s) => s.articles), [3, 1, 1]);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`ingestArticles() groups articles at the ends of the years 1-9999 (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      // The 3-day candidate window around them crosses year 10000 and year 0.
      const out = await ingestArticles(db, [
        { title: "Far future report", body: "Late.", publishedAt: "9999-12-31T23:00:00Z" },
        { title: "Far future report again", body: "Late.", publishedAt: "9999-12-31T23:30:00Z" },
        { title: "Ancient report", body: "Early.", publishedAt: "0001-01-01T01:00:00Z" },
      ]);
      const stories = await Promise.all(out.map(async (o) => (await getArticle(db, o.id))!.story));
      assert.ok(stories.every((s) => s !== null));
      assert.equal(stories[0], stories[1]);
      assert.notEqual(stories[2], stories[0]);
    } finally {
      await close();
    }
  });
}

for (const { name, open } of testDatabases()) {
  Deno.test(`placeInStories() writes nothing of a story whose profile changed meanwhile (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const [first, second] = await ingestArticles(db, [ARTICLES[0], ARTICLES[4]]);
      const story = (await getArticle(db, first.id))!.story!;
      await db.query("DELETE FROM article_stories WHERE article_id = $1", [second.id]);
      await db.query("DELETE FROM story_bands WHERE article_id = $1", [second.id]);
      const write = (expected: string | null) => ({
        stories: [{
          key: story,
          id: story,
          title: "t",
          topic: null,
          articles: 1,
          firstSeen: "2024-09-01T11:00:00.000Z",
          lastSeen: "2024-09-01T11:00:00.000Z",
          profile: '{"n":2,"f":0,"l":0,"v":null}\nx\t1',
          terms: ["x"],
          expected,
        }],
        articles: [{
          articleId: second.id,
          story,
          publishedAt: "2024-09-01T11:00:00.000Z",
          minhash: null,
          keys: [1, 2],
          duplicateOf: null,
        }],
      });
      assert.deepEqual(await placeInStories(db, write("an older profile")), new Set());
      assert.equal((await getArticle(db, second.id))!.story, null, "nothing written");
      const bands = await db.query("SELECT 1 FROM story_bands WHERE article_id = $1", [second.id]);
      assert.equal(bands.length, 0);
      const [{ profile }] = await db.query<{ profile: string }>(
        "SELECT profile FROM stories WHERE id = $1",
        [story],
      );
      assert.deepEqual(await placeInStories(db, write(profile)), new Set([story]));
      assert.equal((await getArticle(db, second.id))!.story, story);
      const terms = await db.query<{ term: string }>(
        "SELECT term FROM story_terms WHERE story_id = $1",
        [story],
      );
      assert.deepEqual(terms.map((t) => t.term), ["x"], "the index follows the new profile");
    } finally {
      await close();
    }
  });

  Deno.test(`ingestArticles() groups a batch whose look-up went with its insert: duplicates left out, no date taken as now (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const [first] = await ingestArticles(db, [{ ...ARTICLES[0], externalId: "e-0" }]);
      const story = (await getArticle(db, first.id))!.story!;
      // One call: the stored article sent again (a duplicate, looked up with the rest but
      // not grouped again), its near copy, and an undated article (looked up as of now).
      const out = await ingestArticles(db, [
        { ...ARTICLES[4], publishedAt: undefined },
        { ...ARTICLES[0], externalId: "e-0" },
        { ...ARTICLES[1], externalId: "e-1" },
      ]);
      assert.deepEqual(out.map((o) => o.status), ["created", "duplicate", "created"]);
      assert.equal(out[1].id, first.id);
      assert.equal((await getArticle(db, out[2].id))!.story, story, "the near copy joins it");
      const undated = (await getArticle(db, out[0].id))!;
      assert.ok(undated.story !== null && undated.story !== story);
      const [s] = await db.query<{ articles: number }>(
        "SELECT articles FROM stories WHERE id = $1",
        [story],
      );
      assert.equal(s.articles, 2, "the duplicate is not counted again");
      const [{ total }] = await db.query<{ total: string | number }>(
        "SELECT df AS total FROM story_term_df WHERE term = ''",
      );
      assert.equal(Number(total), 3, "the three articles stored, each counted once");
    } finally {
      await close();
    }
  });

  Deno.test(`groupIntoStories() groups a whole batch as it would one article at a time (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const out = await ingestArticles(db, ARTICLES);
      const stories = await Promise.all(out.map(async (o) => (await getArticle(db, o.id))!.story));
      assert.ok(stories.every((s) => s !== null));
      assert.equal(stories[0], stories[1], "a near copy in the same batch");
      assert.equal(stories[0], stories[2], "another report in the same batch");
      assert.notEqual(stories[3], stories[0], "months later is another story");
      assert.notEqual(stories[4], stories[0]);
      const [dup] = await db.query<{ duplicate_of: number | string | null }>(
        "SELECT duplicate_of FROM article_stories WHERE article_id = $1",
        [out[1].id],
      );
      assert.equal(Number(dup.duplicate_of), out[0].id);
      const rows = await db.query<{ id: number; articles: number }>(
        "SELECT id, articles FROM stories ORDER BY id",
      );
      assert.equal(rows.length, 3);
      assert.equal(rows.find((r) => Number(r.id) === stories[0])!.articles, 3);
      const [{ total }] = await db.query<{ total: string | number }>(
        "SELECT df AS total FROM story_term_df WHERE term = ''",
      );
      assert.equal(Number(total), 5, "every article counted once");
    } finally {
      await close();
    }
  });

  Deno.test(`groupIntoStories() folds a batch into a story another writer moved meanwhile (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const [first] = await ingestArticles(db, [ARTICLES[0]]);
      const story = (await getArticle(db, first.id))!.story!;
      const [row] = await insertArticles(db, [toNewArticle(ARTICLES[2])]);
      await db.transaction(async (tx) => {
        let moved = false;
        // Another writer adds to the story between this batch's read and its write.
        const racing: Queryable = {
          exec: (sql) => tx.exec(sql),
          async query<T>(sql: string, params?: unknown[]) {
            if (!moved && sql.startsWith("WITH n AS MATERIALIZED")) {
              moved = true;
              await tx.query(
                "UPDATE stories SET profile = profile || $2, articles = articles + 1 WHERE id = $1",
                [story, "\nn:concurrent\t5"],
              );
            }
            return await tx.query<T>(sql, params);
          },
        };
        await groupIntoStories(racing, [{
          id: row.id,
          title: ARTICLES[2].title,
          body: ARTICLES[2].body,
          publishedAt: row.publishedAt!,
        }]);
        assert.ok(moved);
      });
      assert.equal((await getArticle(db, row.id))!.story, story);
      const [s] = await db.query<{ articles: number; profile: string }>(
        "SELECT articles, profile FROM stories WHERE id = $1",
        [story],
      );
      assert.equal(s.articles, 3, "the other writer's article and this one");
      assert.match(s.profile, /n:concurrent/, "folded into the profile it holds now");
    } finally {
      await close();
    }
  });
}
