-- Stories follow events, not only near duplicates: each story keeps a profile (the centroid
-- of its articles' weighted terms, names and numbers, and of their word vectors when given;
-- ml/story_profile.ts) and is found through an inverted index of its strongest terms, so a
-- new article is compared with a bounded number of candidate stories, never all of them.
ALTER TABLE stories ADD COLUMN profile text;
ALTER TABLE stories ADD COLUMN topic text;

-- The article this one nearly copies (MinHash of title and lead), when there is one: "12
-- outlets" and "12 copies of one wire story" are different facts. `pinned`: a reviewer put
-- the article in this story; regrouping and rebuilds never move it.
ALTER TABLE article_stories ADD COLUMN duplicate_of bigint;
ALTER TABLE article_stories ADD COLUMN pinned boolean NOT NULL DEFAULT false;
-- Growth counts articles per story in two recent windows.
CREATE INDEX article_stories_published_idx ON article_stories (published_at);

-- The inverted index: a story under each of its strongest terms, newest activity first, so
-- a lookup reads a capped number of the most recently active stories per term.
CREATE TABLE story_terms (
  term      text NOT NULL,
  story_id  bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (term, story_id)
);
CREATE INDEX story_terms_recent_idx ON story_terms (term, last_seen DESC);
CREATE INDEX story_terms_story_idx ON story_terms (story_id);

-- In how many grouped articles each term occurs (the empty term: how many articles), which
-- weighs rare terms above common ones.
CREATE TABLE story_term_df (
  term text PRIMARY KEY,
  df   bigint NOT NULL
);

-- Reviewers' corrections of stories (move, split, merge): who, what, when. Append-only.
CREATE TABLE story_corrections (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor      text NOT NULL,
  action     text NOT NULL CHECK (action IN ('move', 'split', 'merge')),
  story_id   bigint NOT NULL,
  into_story bigint,
  articles   bigint[] NOT NULL DEFAULT '{}',
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_corrections_story_idx ON story_corrections (story_id, id);
CREATE INDEX story_corrections_into_idx ON story_corrections (into_story, id);

-- Every article is grouped again by the new method: `serve` regroups at start (500 per
-- transaction, resuming where it stopped), as after migration 0017.
DELETE FROM story_bands;
DELETE FROM article_stories;
DELETE FROM stories;
DELETE FROM stories_backfill;
INSERT INTO stories_backfill (after_id) SELECT 0 WHERE EXISTS (SELECT 1 FROM articles);
