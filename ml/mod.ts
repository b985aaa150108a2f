// Public API of the topic classifier: normalise, train, export, store, load, evaluate, bundle.

export { normalizeNewsText } from "./normalize.ts";
export {
  crossFitFolds,
  DEFAULT_HYPERPARAMETERS,
  type Example,
  fitTemperature,
  type TrainOptions,
  type TrainProgress,
  trainTextClassifier,
} from "./train.ts";
export {
  encodeWords,
  type Hyperparameters,
  modelLogits,
  softmax,
  type TextClassifierModel,
  type ValidationReport,
} from "./model.ts";
export { tokenizerConfig, tokenizerJson } from "./tokenizer.ts";
export { createWordSplitter } from "./word_splitter.ts";
export { exportOnnx } from "./onnx_export.ts";
export {
  type Manifest,
  ModelDirError,
  type ModelMeta,
  sha256,
  verifyModelDir,
  writeModelDir,
} from "./model_dir.ts";
export {
  type ClassifiedText,
  type Classifier,
  loadClassifier,
  type LoadOptions,
  MAX_RUN_CHARS,
  type ModelSource,
  type Prediction,
} from "./classifier.ts";
export { type ClassMetrics, evaluate, type EvaluationReport, formatReport } from "./metrics.ts";
export { BundleError, bundleModel, importBundle } from "./bundle.ts";
export { findModelDir, installModelDir } from "./install_model.ts";
