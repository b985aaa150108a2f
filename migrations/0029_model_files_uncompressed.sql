-- Model files are stored as they are, not compressed: their weights (float16 and int8
-- tensors) do not compress, and trying cost a third of storing a model on the embedded
-- database (18 MB in 0.93 s with compression tried, 0.64 s without), and reading it back
-- again. Rows written before keep their form; both read the same.
ALTER TABLE model_files ALTER COLUMN bytes SET STORAGE EXTERNAL;
