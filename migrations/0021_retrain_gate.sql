-- What a retrain's promotion gate saw: both models' macro-F1 on the fixed evaluation file
-- alone (a held-out part of the bundled data, or RETRAIN_EVAL_FILE), how many evaluation
-- examples came from that file and how many from reviewed labels two reviewers agreed on,
-- and the gate's reason in words (why it promoted, or why the candidate is the shadow model).
ALTER TABLE retrains ADD COLUMN fixed_active_score double precision;
ALTER TABLE retrains ADD COLUMN fixed_candidate_score double precision;
ALTER TABLE retrains ADD COLUMN fixed_eval_size integer;
ALTER TABLE retrains ADD COLUMN agreed_eval_size integer;
ALTER TABLE retrains ADD COLUMN reason text;
