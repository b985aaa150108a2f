-- An article's topic is the label reviewers settled on once they have, else the
-- prediction of the model active at ingestion. The prediction is kept beside it, so
-- an undone review restores it, and the trend counters follow the topic.
ALTER TABLE articles
  ADD COLUMN predicted_topic text,
  ADD COLUMN predicted_topic_score double precision,
  ADD COLUMN topic_reviewed boolean NOT NULL DEFAULT false;

UPDATE articles SET predicted_topic = topic, predicted_topic_score = topic_score;
