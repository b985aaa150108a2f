-- Story signatures now weigh title words three times (ml/minhash.ts, TITLE_WEIGHT): the
-- stored signatures and band keys no longer match new ones, so every article is grouped
-- again. `serve` regroups them at start (500 per transaction, resuming where it stopped), as
-- it grouped the articles stored before stories were kept.
DELETE FROM story_bands;
DELETE FROM article_stories;
DELETE FROM stories;
DELETE FROM stories_backfill;
INSERT INTO stories_backfill (after_id) VALUES (0);
