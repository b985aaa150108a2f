// Writing a batch's story assignments with its term frequencies, on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { termFrequencies } from "./story_index.ts";
import { placeInStories, type StoryWrite } from "./story_placement.ts";

/** A new story indexed under `terms`. */
function newStory(key: number, terms: string[]): StoryWrite {
  return {
    key,
    id: null,
    title: `story ${key}`,
    topic: null,
    articles: 1,
    firstSeen: "2024-06-01T00:00:00.000Z",
    lastSeen: "2024-06-01T00:00:00.000Z",
    profile: `{"n":1,"f":0,"l":0,"v":null}\n${terms.map((t) => `${t}\t1`).join("\n")}`,
    terms,
  };
}

for (const { name, open } of testDatabases()) {
  Deno.test(`placeInStories() adds the batch's term frequencies, written or not (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const counts = new Map([["quake", 2], ["n:tokyo", 1]]);
      await placeInStories(db, {
        stories: [newStory(-1, ["quake"])],
        articles: [],
        frequencies: { counts, articles: 3 },
      });
      const [{ id, profile }] = await db.query<{ id: number; profile: string }>(
        "SELECT id, profile FROM stories",
      );
      // A stored story moved meanwhile is not written, but the articles were counted.
      const stale = { ...newStory(Number(id), ["quake"]), id: Number(id), expected: "other" };
      const written = await placeInStories(db, {
        stories: [stale],
        articles: [],
        frequencies: { counts: new Map([["quake", 1]]), articles: 1 },
      });
      assert.deepEqual(written, new Set());
      const [{ profile: now }] = await db.query<{ profile: string }>("SELECT profile FROM stories");
      assert.equal(now, profile);
      const df = await termFrequencies(db, ["quake", "n:tokyo", "rescue"]);
      assert.equal(df.total, 4);
      assert.deepEqual([...df.df].sort(), [["n:tokyo", 1], ["quake", 3]]);
      // No frequencies, or none counted: nothing added.
      await placeInStories(db, { stories: [], articles: [] });
      await placeInStories(db, {
        stories: [],
        articles: [],
        frequencies: { counts: new Map(), articles: 0 },
      });
      assert.equal((await termFrequencies(db, [])).total, 4);
    } finally {
      await close();
    }
  });

  Deno.test(`placeInStories() counts frequencies past one statement's chunk too (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const terms = Array.from({ length: 2_345 }, (_, i) => `t${String(i).padStart(4, "0")}`);
      await placeInStories(db, {
        stories: [],
        articles: [],
        frequencies: { counts: new Map(terms.map((t, i) => [t, 1 + (i % 3)])), articles: 5 },
      });
      const df = await termFrequencies(db, terms);
      assert.equal(df.total, 5);
      assert.equal(df.df.size, terms.length);
      assert.deepEqual(
        [df.df.get("t0000"), df.df.get("t1000"), df.df.get("t2344")],
        [1, 2, 2],
      );
    } finally {
      await close();
    }
  });
}
