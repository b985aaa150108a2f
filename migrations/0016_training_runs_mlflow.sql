-- Where a training run was also logged in MLflow (MLFLOW_TRACKING_URI): the MLflow
-- run id, or why logging it failed. Logging never fails training, so a run can
-- succeed with an mlflow_error; both stay null when MLflow tracking is off.
ALTER TABLE training_runs ADD COLUMN mlflow_run_id text;
ALTER TABLE training_runs ADD COLUMN mlflow_error text;
