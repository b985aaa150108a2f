// The stories' inverted index and near-copy keys: what a lookup finds, on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import type { Queryable } from "./mod.ts";
import { type LookupArticle, lookUpStories } from "./story_index.ts";
import { placeInStories, type StoryWrite } from "./story_placement.ts";

/** A new story indexed under `terms`, last seen at `lastSeen`. */
function newStory(key: number, terms: string[], lastSeen: string): StoryWrite {
  return {
    key,
    id: null,
    title: `story ${key}`,
    topic: null,
    articles: 1,
    firstSeen: lastSeen,
    lastSeen,
    profile: `{"n":1,"f":0,"l":0,"v":null}\n${terms.map((t) => `${t}\t1`).join("\n")}`,
    terms,
  };
}

/** Stored articles (ids in order) published at `times`. */
async function storedArticles(db: Queryable, times: string[]): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO articles (title, body, published_at, content_hash, dedup_key)
     SELECT 'a', 'b', t, md5(t::text || i), md5(t::text || i)
       FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i) ORDER BY i RETURNING id`,
    [times],
  );
  return rows.map((r) => Number(r.id));
}

const CAPS = { queryTerms: 20, perTerm: 30, max: 15, perKey: 10 };

/** An article looking up `terms` from `from` and near copies under `bands` in [lo, hi). */
function article(
  from: string,
  bands: { keys: number[]; lo: string; hi: string } = { keys: [], lo: from, hi: from },
): LookupArticle {
  return {
    terms: ["quake", "n:tokyo", "rescue"],
    weights: [2, 1, 1],
    from,
    bands: bands.keys,
    copiesFrom: bands.lo,
    copiesTo: bands.hi,
  };
}

for (const { name, open } of testDatabases()) {
  Deno.test(`lookUpStories() finds only stories active since each article's window (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const written = await placeInStories(db, {
        stories: [
          newStory(-1, ["quake", "n:tokyo"], "2024-01-10T00:00:00.000Z"),
          newStory(-2, ["quake", "n:tokyo"], "2024-06-10T00:00:00.000Z"),
          newStory(-3, ["election"], "2024-06-11T00:00:00.000Z"),
        ],
        articles: [],
      });
      assert.equal(written.size, 3);
      const ids = await db.query<{ id: number }>("SELECT id FROM stories ORDER BY title");
      const [old, recent] = ids.map((r) => Number(r.id));
      // One batch: the first article's window reaches the old story, the second's does not.
      const found = await lookUpStories(db, {
        articles: [article("2024-01-01T00:00:00.000Z"), article("2024-03-01T00:00:00.000Z")],
        ...CAPS,
      });
      assert.deepEqual(found.candidates[0], [{ id: recent, hits: 2 }, { id: old, hits: 2 }]);
      assert.deepEqual(found.candidates[1], [{ id: recent, hits: 2 }]);
      assert.deepEqual([...found.profiles.keys()].sort((a, b) => a - b), [old, recent]);
      assert.deepEqual(found.copies, []);
      // A window after every story's last activity finds none.
      const none = await lookUpStories(db, {
        articles: [article("2024-07-01T00:00:00.000Z")],
        ...CAPS,
      });
      assert.deepEqual(none.candidates, [[]]);
      assert.equal(none.profiles.size, 0);
    } finally {
      await close();
    }
  });

  Deno.test(`lookUpStories() reads each candidate's profile as stored, or none (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const stories = [
        newStory(-1, ["quake", "n:tokyo"], "2024-06-10T00:00:00.000Z"),
        newStory(-2, ["quake", "n:zürich"], "2024-06-11T00:00:00.000Z"),
      ];
      await placeInStories(db, { stories, articles: [] });
      const [a, b] = (await db.query<{ id: number }>("SELECT id FROM stories ORDER BY title"))
        .map((r) => Number(r.id));
      await db.query("UPDATE stories SET profile = NULL WHERE id = $1", [b]);
      const found = await lookUpStories(db, {
        articles: [article("2024-06-01T00:00:00.000Z")],
        ...CAPS,
      });
      assert.deepEqual(found.profiles, new Map([[a, stories[0].profile], [b, null]]));
    } finally {
      await close();
    }
  });

  Deno.test(`lookUpStories() finds the stored articles sharing a band key within the window (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const times = ["2024-06-01T00:00:00.000Z", "2024-06-05T00:00:00.000Z"];
      const [early, late] = await storedArticles(db, times);
      const placed = (articleId: number, at: string, keys: number[]) => ({
        articleId,
        story: -1,
        publishedAt: at,
        minhash: `sig${articleId}`,
        keys,
        duplicateOf: null,
      });
      await placeInStories(db, {
        stories: [newStory(-1, ["quake"], times[1])],
        articles: [placed(early, times[0], [7, 8]), placed(late, times[1], [8, 9])],
      });
      const [{ id: story }] = await db.query<{ id: number }>("SELECT id FROM stories");
      const found = await lookUpStories(db, {
        articles: [
          // Key 8 is shared by both, but only the later one is in this window.
          article("2024-01-01T00:00:00.000Z", {
            keys: [8, 8, 42],
            lo: "2024-06-03T00:00:00.000Z",
            hi: "2024-06-07T00:00:00.000Z",
          }),
          article("2024-01-01T00:00:00.000Z", {
            keys: [7, 9],
            lo: "2024-05-01T00:00:00.000Z",
            hi: "2024-07-01T00:00:00.000Z",
          }),
        ],
        ...CAPS,
      });
      const copies = found.copies.toSorted((a, b) =>
        a.article - b.article || a.articleId - b.articleId
      );
      assert.deepEqual(copies, [
        { article: 0, articleId: late, storyId: Number(story), minhash: `sig${late}` },
        { article: 1, articleId: early, storyId: Number(story), minhash: `sig${early}` },
        { article: 1, articleId: late, storyId: Number(story), minhash: `sig${late}` },
      ]);
    } finally {
      await close();
    }
  });
}
