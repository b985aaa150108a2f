-- Taxonomies side by side: each model belongs to one taxonomy (`topic` for the AG News
-- topics, or a newsroom's own, e.g. `section`), and each taxonomy has its own active
-- model. Everything that existed before is the `topic` taxonomy's.
ALTER TABLE models ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';

-- The active model of a taxonomy is its newest activation row.
ALTER TABLE model_activations ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
CREATE INDEX model_activations_taxonomy_idx ON model_activations (taxonomy, id);

-- A review item reviews one taxonomy's prediction; an article may have one open item per
-- taxonomy.
ALTER TABLE review_items ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
DROP INDEX review_items_open_article_idx;
CREATE UNIQUE INDEX review_items_open_article_idx ON review_items (article_id, taxonomy)
  WHERE status IN ('queued', 'claimed', 'labelled', 'needs_adjudication');
CREATE INDEX review_items_taxonomy_idx ON review_items (taxonomy, id);

-- Trend counters count labels per taxonomy; the `topic` column holds the taxonomy's label.
ALTER TABLE article_counts_hourly ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE article_counts_hourly DROP CONSTRAINT article_counts_hourly_pkey;
ALTER TABLE article_counts_hourly ADD PRIMARY KEY (hour, taxonomy, topic, source);

ALTER TABLE article_counts_daily ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE article_counts_daily DROP CONSTRAINT article_counts_daily_pkey;
ALTER TABLE article_counts_daily ADD PRIMARY KEY (day, taxonomy, topic, source);

ALTER TABLE term_counts_daily ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE term_counts_daily DROP CONSTRAINT term_counts_daily_pkey;
ALTER TABLE term_counts_daily ADD PRIMARY KEY (taxonomy, topic, day, term);

ALTER TABLE term_totals_daily ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE term_totals_daily DROP CONSTRAINT term_totals_daily_pkey;
ALTER TABLE term_totals_daily ADD PRIMARY KEY (taxonomy, topic, day);

ALTER TABLE term_counts_monthly ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE term_counts_monthly DROP CONSTRAINT term_counts_monthly_pkey;
ALTER TABLE term_counts_monthly ADD PRIMARY KEY (taxonomy, topic, month, term);

ALTER TABLE term_rollup_dirty ADD COLUMN taxonomy text NOT NULL DEFAULT 'topic';
ALTER TABLE term_rollup_dirty DROP CONSTRAINT term_rollup_dirty_pkey;
ALTER TABLE term_rollup_dirty ADD PRIMARY KEY (taxonomy, topic, month);
