-- Routing at ingestion looks, for each new prediction, for an item of the article in the
-- prediction's taxonomy. With the article index alone (article_id, decided_at) the planner
-- combined it with the taxonomy index and read every item of the taxonomy for each probe
-- (half a second for a batch's queueing once the queue held some 20,000 items): the cost
-- grew with the queue. The article index now carries the taxonomy; reads of an article's
-- items in decision order still use it.
DROP INDEX review_items_article_idx;
CREATE INDEX review_items_article_idx ON review_items (article_id, taxonomy, decided_at);
