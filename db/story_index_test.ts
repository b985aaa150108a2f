// The stories' inverted index: what a lookup finds, on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { lookUpStories, placeInStories, type StoryWrite } from "./story_index.ts";

/** A new story indexed under `terms`, last seen at `lastSeen`. */
function story(key: number, terms: string[], lastSeen: string): StoryWrite {
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

const CAPS = { queryTerms: 20, perTerm: 30, max: 15 };

for (const { name, open } of testDatabases()) {
  Deno.test(`lookUpStories() finds only stories active since each article's window (${name})`, async () => {
    const { db, reset, close } = await open();
    try {
      await reset();
      const written = await placeInStories(db, {
        stories: [
          story(-1, ["quake", "n:tokyo"], "2024-01-10T00:00:00.000Z"),
          story(-2, ["quake", "n:tokyo"], "2024-06-10T00:00:00.000Z"),
          story(-3, ["election"], "2024-06-11T00:00:00.000Z"),
        ],
        articles: [],
      });
      assert.equal(written.size, 3);
      const ids = await db.query<{ id: number; title: string }>(
        "SELECT id, title FROM stories ORDER BY title",
      );
      const [old, recent] = ids.map((r) => Number(r.id));
      const article = (from: string) => ({
        terms: ["quake", "n:tokyo", "rescue"],
        weights: [2, 1, 1],
        from,
      });
      // One batch: the first article's window reaches the old story, the second's does not.
      const found = await lookUpStories(db, {
        articles: [article("2024-01-01T00:00:00.000Z"), article("2024-03-01T00:00:00.000Z")],
        ...CAPS,
      });
      assert.deepEqual(found.candidates[0], [{ id: recent, hits: 2 }, { id: old, hits: 2 }]);
      assert.deepEqual(found.candidates[1], [{ id: recent, hits: 2 }]);
      assert.deepEqual([...found.profiles.keys()].sort((a, b) => a - b), [old, recent]);
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
}
